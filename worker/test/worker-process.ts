import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** Resolves once the worker logged `worker started` (schedules upserted, metrics listening); rejects if it exits first. */
  started: Promise<void>;
  /** Resolves with how it ended ("code 0", "signal SIGKILL"). */
  exited: Promise<string>;
  alive(): boolean;
  /** Parsed pino lines it wrote so far. */
  logs(): Array<Record<string, unknown>>;
  /** Its last output lines, for failure messages. */
  tail(lines?: number): string;
  /** Signals its whole process group and waits until it is gone (SIGKILL after `graceMs`). */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

const running = new Set<WorkerProcess>();
// Last resort if the test process itself goes down: never leave a worker process group behind.
process.once('exit', () => {
  for (const worker of running) {
    try {
      process.kill(-worker.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

/**
 * Starts `node --import tsx worker/src/main.ts` — the worker process exactly as deployed — in its own
 * process group, with only the environment given here (plus PATH/HOME), logging at info so the test
 * can see when it is up and what the sweep did.
 */
export function spawnWorker(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'test', LOG_LEVEL: 'info', WORKER_METRICS_PORT: '0', ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let buffered = '';
  let onStarted: () => void = () => {};
  const collect = (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const line of parts) {
      if (!line.trim()) continue;
      lines.push(line);
      if (line.includes('"msg":"worker started"')) onStarted();
    }
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `code ${code}`));
    child.once('error', (error) => resolve(error.message));
  });
  const tail = (n = 15) => lines.slice(-n).join('\n');
  const started = new Promise<void>((resolve, reject) => {
    onStarted = resolve;
    void exited.then((how) => reject(new Error(`The worker exited (${how}) before it started:\n${tail()}`)));
  });
  started.catch(() => {});
  const alive = () => child.exitCode === null && child.signalCode === null;
  const worker: WorkerProcess = {
    child,
    pid: child.pid!,
    started,
    exited,
    alive,
    logs: () =>
      lines.flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      }),
    tail,
    async stop(signal = 'SIGTERM', graceMs = 10_000) {
      if (alive()) {
        const send = (sig: NodeJS.Signals) => {
          try {
            process.kill(-child.pid!, sig);
          } catch {
            // The group is gone already.
          }
        };
        send(signal);
        const timer = setTimeout(() => send('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      running.delete(worker);
    },
  };
  running.add(worker);
  return worker;
}

/** Kills every worker process a test left running (afterEach/afterAll, also after a failure). */
export async function killAllWorkers(): Promise<void> {
  await Promise.all([...running].map((w) => w.stop('SIGKILL')));
}
