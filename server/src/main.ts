import { assertNoEviction, assertRedisVersion, createLogger, loadConfig, requireServiceUrls, stopOnSignals } from '@hub/platform';
import { createHub } from './app.ts';
import { ensureFirstAdmin } from './cli/first-admin.ts';
import { createContext } from './context.ts';

const log = createLogger('server');

try {
  const config = loadConfig();
  const ctx = createContext(config, requireServiceUrls(config), log);
  await assertNoEviction(ctx.redis, (reason) => log.warn(reason));
  await assertRedisVersion(ctx.redis);
  // Creates that admin on the first start; later starts only log (an existing account is never promoted).
  if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) {
    await ensureFirstAdmin(ctx.db, { email: config.ADMIN_EMAIL, password: config.ADMIN_PASSWORD, name: 'Admin' }, log);
  }
  const hub = createHub(ctx);
  hub.httpServer.once('error', (error: NodeJS.ErrnoException) => {
    log.fatal(
      error.code === 'EADDRINUSE'
        ? `Port ${config.SERVER_PORT} is already in use: stop the other process or set SERVER_PORT.`
        : error.message,
    );
    process.exit(1);
  });
  hub.httpServer.listen(config.SERVER_PORT, config.HOST, () => {
    log.info({ url: `http://${config.HOST}:${config.SERVER_PORT}` }, 'server listening');
  });
  stopOnSignals(log, async () => {
    await hub.close();
    await ctx.close();
  });
} catch (error) {
  log.fatal((error as Error).message);
  process.exit(1);
}
