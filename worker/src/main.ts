import { assertNoEviction, createLogger, loadConfig, requireServiceUrls, stopOnSignals } from '@hub/platform';
import { Redis } from 'ioredis';
import { startWorker } from './worker.ts';

const log = createLogger('worker');

try {
  const config = loadConfig();
  const urls = requireServiceUrls(config);
  const probe = new Redis(urls.redisUrl, { maxRetriesPerRequest: 1 });
  await assertNoEviction(probe, (reason) => log.warn(reason)).finally(() => probe.disconnect());
  const running = startWorker(config, urls, log);
  const port = await running.listening.catch((error: NodeJS.ErrnoException) => {
    throw new Error(
      error.code === 'EADDRINUSE'
        ? `Port ${config.WORKER_METRICS_PORT} is already in use: stop the other process or set WORKER_METRICS_PORT.`
        : error.message,
    );
  });
  log.info({ metrics: `http://${config.HOST}:${port}/metrics` }, 'worker started');
  stopOnSignals(log, () => running.close());
} catch (error) {
  log.fatal((error as Error).message);
  process.exit(1);
}
