import { createLogger, loadConfig, requireServiceUrls } from '@hub/platform';
import { startWorker } from './worker.ts';

const log = createLogger('worker');

try {
  const config = loadConfig();
  const running = startWorker(config, requireServiceUrls(config), log);
  const port = await running.listening.catch((error: NodeJS.ErrnoException) => {
    throw new Error(
      error.code === 'EADDRINUSE'
        ? `Port ${config.WORKER_METRICS_PORT} is already in use: stop the other process or set WORKER_METRICS_PORT.`
        : error.message,
    );
  });
  log.info({ metrics: `http://${config.HOST}:${port}/metrics` }, 'worker started');
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'worker stopping');
    await running.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
} catch (error) {
  log.fatal((error as Error).message);
  process.exit(1);
}
