import type { Logger } from './logger.ts';

/**
 * Stops the process cleanly on SIGINT/SIGTERM: logs one line, runs `close`, exits. A close that hangs
 * is cut short after `graceMs`, so a supervisor's stop never waits forever.
 */
export function stopOnSignals(log: Logger, close: () => Promise<void>, graceMs = 5000): void {
  const stop = (signal: NodeJS.Signals) => {
    log.info({ signal }, 'stopping');
    setTimeout(() => process.exit(0), graceMs).unref();
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
