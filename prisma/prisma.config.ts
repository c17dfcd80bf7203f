import { defineConfig } from 'prisma/config';

// Only `prisma generate` runs here; migrations are applied by src/migrate.ts (see README).
export default defineConfig({ schema: 'schema.prisma', migrations: { path: 'migrations' } });
