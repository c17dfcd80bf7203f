import { defineConfig } from 'vitest/config';

// One run for every workspace: unit and integration tests beside their sources, browser journeys in e2e/.
export default defineConfig({
  // One TypeScript configuration for every test file (web/tsconfig.json extends SvelteKit's generated one).
  tsconfig: 'tsconfig.base.json',
  test: {
    include: ['{protocol,platform,prisma,search,matching,server,worker,web}/{src,test}/**/*.test.ts', 'e2e/**/*.spec.ts'],
    globalSetup: ['server/test/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
