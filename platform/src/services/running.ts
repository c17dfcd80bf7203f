import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, type Config, type ServiceUrls } from '../config.ts';

/** Where `npm start` records the services it resolved, so commands run beside it reach the same ones. */
const runningFile = (config: Config) => path.resolve(config.DATA_DIR, 'run', 'services.json');

export async function recordRunningServices(config: Config, urls: ServiceUrls): Promise<void> {
  await writeFile(runningFile(config), JSON.stringify(urls), { mode: 0o600 });
}

export async function forgetRunningServices(config: Config): Promise<void> {
  await rm(runningFile(config), { force: true });
}

/**
 * The services a command-line tool (admin:create, search:reindex) should use: the ones in the
 * environment, or else those of the hub `npm start` is running on this machine.
 */
export async function serviceUrlsForCommand(config: Config): Promise<ServiceUrls> {
  if (config.DATABASE_URL && config.REDIS_URL && config.MEILI_URL && config.MEILI_MASTER_KEY) {
    return { databaseUrl: config.DATABASE_URL, redisUrl: config.REDIS_URL, meiliUrl: config.MEILI_URL, meiliMasterKey: config.MEILI_MASTER_KEY };
  }
  try {
    return JSON.parse(await readFile(runningFile(config), 'utf8')) as ServiceUrls;
  } catch {
    throw new ConfigError([
      'no running hub found: start it with `npm start` in another terminal, or set DATABASE_URL, REDIS_URL, MEILI_URL and MEILI_MASTER_KEY',
    ]);
  }
}
