import { z } from 'zod';

/**
 * The only module that reads the environment. Every process calls `loadConfig()` once at start-up;
 * all problems are reported together, and the result is frozen.
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const url = (protocols: string[]) =>
  z
    .string()
    .url()
    // An unparseable value is already reported by .url(); `new URL` would throw a TypeError here.
    .refine((v) => !URL.canParse(v) || protocols.includes(new URL(v).protocol), {
      message: `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`,
    });

const port = z.coerce.number().int().min(0).max(65535);

export const ConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Where embedded services and uploaded files live. */
  DATA_DIR: z.string().default('.data'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  MEILI_URL: url(['http:', 'https:']).optional(),
  MEILI_MASTER_KEY: z.string().min(16).optional(),
  /** Ports of the services `npm start` runs itself when the matching URL above is not set. */
  EMBEDDED_POSTGRES_PORT: port.default(54329),
  EMBEDDED_REDIS_PORT: port.default(63799),
  EMBEDDED_MEILI_PORT: port.default(7709),
  /** Prefix for every Redis key (queues, sessions, rate limits, socket adapter): lets tests share one Redis. */
  REDIS_PREFIX: z.string().regex(/^[a-z0-9_-]+$/).default('hub'),
  /** Prefix for every Meilisearch index name. */
  MEILI_INDEX_PREFIX: z.string().regex(/^[a-z0-9_-]+$/).default('hub'),
  HOST: z.string().default('127.0.0.1'),
  SERVER_PORT: port.default(4000),
  WEB_PORT: port.default(3000),
  WORKER_METRICS_PORT: port.default(4001),
  /**
   * The URL users open; used in links and printed by `npm start`. The API takes state-changing
   * requests and socket handshakes from browsers only from its origin (see `allowedOrigins`).
   */
  PUBLIC_URL: url(['http:', 'https:']).optional(),
  /** The API server as the web process reaches it (defaults to http://HOST:SERVER_PORT). */
  API_INTERNAL_URL: url(['http:', 'https:']).optional(),
  /** Which proxies' X-Forwarded-For the API believes (Express `trust proxy`): the web process is one. */
  TRUST_PROXY: z.string().default('loopback'),
  SESSION_TTL_HOURS: z.coerce.number().int().positive().default(24 * 14),
  COOKIE_SECURE: bool.default(false),
  /** Seeds demo organisations and staff and prints their credentials. */
  DEMO_MODE: bool.default(false),
  ADMIN_EMAIL: z.string().email().optional(),
  ADMIN_PASSWORD: z.string().min(10).optional(),
  /** Failed sign-ins an account takes before each further attempt (not from a known device) must wait. */
  LOGIN_FAILURES_BEFORE_BACKOFF: z.coerce.number().int().positive().default(5),
  /** The longest that wait grows to (it doubles from 30 s with every further failure). */
  LOGIN_BACKOFF_MAX_SECONDS: z.coerce.number().int().min(30).default(15 * 60),
  /** Failed sign-ins one IP may make per window; successes never count, so a venue sharing one address never reaches it. */
  LOGIN_FAILURES_PER_IP: z.coerce.number().int().positive().default(200),
  REGISTER_LIMIT_PER_IP: z.coerce.number().int().positive().default(10),
  REGISTER_LIMIT_PER_EMAIL: z.coerce.number().int().positive().default(8),
  /** Tests: the server each test file gets its own database on (copied from a migrated template). */
  TEST_DATABASE_URL: url(['postgres:', 'postgresql:']).default('postgresql://postgres@127.0.0.1:5432/postgres'),
  /** Tests: the Redis every test file shares, each under its own key prefix. */
  TEST_REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().positive().default(15 * 60),
  /** Demands one organisation may raise its hand on per hour (each one reaches the demander's members). */
  INTEREST_LIMIT_PER_HOUR: z.coerce.number().int().positive().default(30),
  /** Messages one user may send into one room per minute. */
  MESSAGE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(30),
  /** Rooms one user may open (room:join) per minute, over all their sockets. */
  ROOM_JOIN_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(60),
  /** Typing signals one user may send per minute (the web client sends at most one every 2.5 s per room). */
  ROOM_TYPING_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(120),
  /** Read receipts one user may send per minute (the web client sends one per pause in reading). */
  ROOM_READ_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(120),
  /** Listing searches per minute: per user, or per client IP for visitors who are not signed in. */
  SEARCH_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(300),
  /** Room record exports (JSON or printable page) one user may ask for per minute: each verifies the whole chain. */
  EVIDENCE_EXPORT_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(20),
  /** Largest file a room accepts, in bytes (a larger upload is refused with 413 and nothing is kept). */
  ROOM_FILE_MAX_BYTES: z.coerce.number().int().min(1024).default(20 * 1024 * 1024),
  /** Where room files are stored (default: DATA_DIR/files). */
  FILES_DIR: z.string().optional(),
  /**
   * Where the evidence checkpoints (checkpoints.jsonl) and the key that signs them (signing-key.pem,
   * created on first use) live, outside the database (default: DATA_DIR/evidence). Every server and
   * worker process must share it.
   */
  EVIDENCE_DIR: z.string().optional(),
  /** Match pushes one user receives per minute before the rest are batched into a digest. */
  MATCH_PUSHES_PER_MINUTE: z.coerce.number().int().positive().default(10),
  /** How often the match sweep re-matches listings a crash or a lost queue left unmatched. */
  MATCH_SWEEP_SECONDS: z.coerce.number().int().min(1).default(60),
  /** Concurrent jobs per worker process (scoring waits on Meilisearch and Postgres, not the CPU). */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
});

export type Config = Readonly<z.infer<typeof ConfigSchema>>;

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}. Fix these environment variables and start again.`);
    this.name = 'ConfigError';
  }
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const defined = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = ConfigSchema.safeParse(defined);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.')} ${i.message}`));
  }
  const config = result.data;
  if (config.MEILI_URL && !config.MEILI_MASTER_KEY) {
    throw new ConfigError(['MEILI_MASTER_KEY is required when MEILI_URL is set']);
  }
  if (Boolean(config.ADMIN_EMAIL) !== Boolean(config.ADMIN_PASSWORD)) {
    throw new ConfigError(['ADMIN_EMAIL and ADMIN_PASSWORD must be set together']);
  }
  return Object.freeze(config);
}

/**
 * The origins whose pages may change something through the API or open its socket: PUBLIC_URL's.
 * Unset (a local run), the web port on this machine by the names a browser may use for it: no
 * other site can serve a page from there.
 */
export function allowedOrigins(config: Config): string[] {
  if (config.PUBLIC_URL) return [new URL(config.PUBLIC_URL).origin];
  const urls = [...new Set([config.HOST, '127.0.0.1', 'localhost'])].map((host) => `http://${host}:${config.WEB_PORT}`);
  // A wildcard HOST such as `::` names no page a browser could open.
  return urls.filter((url) => URL.canParse(url)).map((url) => new URL(url).origin);
}

let cached: Config | undefined;

/** The process configuration, parsed from the environment once. */
export function loadConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

export interface ServiceUrls {
  databaseUrl: string;
  redisUrl: string;
  meiliUrl: string;
  meiliMasterKey: string;
}

/** The service URLs a server or worker process cannot run without (`npm start` always provides them). */
export function requireServiceUrls(config: Config): ServiceUrls {
  const missing = (['DATABASE_URL', 'REDIS_URL', 'MEILI_URL', 'MEILI_MASTER_KEY'] as const).filter((k) => !config[k]);
  if (missing.length > 0) {
    throw new ConfigError(missing.map((k) => `${k} is required (run the hub with \`npm start\`, which provides it)`));
  }
  return {
    databaseUrl: config.DATABASE_URL!,
    redisUrl: config.REDIS_URL!,
    meiliUrl: config.MEILI_URL!,
    meiliMasterKey: config.MEILI_MASTER_KEY!,
  };
}

/** Environment entries to hand to a child process so that it sees the same services. */
export function serviceEnv(urls: ServiceUrls): Record<string, string> {
  return {
    DATABASE_URL: urls.databaseUrl,
    REDIS_URL: urls.redisUrl,
    MEILI_URL: urls.meiliUrl,
    MEILI_MASTER_KEY: urls.meiliMasterKey,
  };
}
