import { paraglideVitePlugin } from '@inlang/paraglide-js';
import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [
    // Same options as the `generate` script, so `vite dev` recompiles messages on change.
    paraglideVitePlugin({
      project: './project.inlang',
      outdir: './src/lib/paraglide',
      strategy: ['cookie', 'preferredLanguage', 'baseLocale'],
    }),
    sveltekit({ adapter: adapter({ out: 'build' }) }),
  ],
  // The protocol package is TypeScript source shared by every workspace: bundle it, never externalise it.
  ssr: { noExternal: ['@hub/protocol'] },
  optimizeDeps: { include: ['socket.io-client'] },
  server: {
    proxy: {
      // `vite dev` only: production proxies through server.ts.
      '/api': 'http://127.0.0.1:4000',
      '/socket.io': { target: 'http://127.0.0.1:4000', ws: true },
    },
  },
});
