import { pino, type Logger } from 'pino';
import { loadConfig } from './config.ts';

export type { Logger };

/** One structured logger per process, named after it (`server`, `worker`, `web`, `start`). */
export function createLogger(name: string): Logger {
  const config = loadConfig();
  return pino({
    name,
    level: config.LOG_LEVEL,
    redact: { paths: ['password', '*.password', 'req.headers.cookie', 'headers.cookie', '*.passwordHash'], censor: '[redacted]' },
  });
}
