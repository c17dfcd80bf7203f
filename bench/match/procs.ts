import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { BenchStack } from '../search/stack.ts';

/** A hub process (API server or worker) the benchmark runs as a child: `node --import tsx <script>`. */
export interface Child {
  name: string;
  pid: number;
  /** SIGTERM (the process closes gracefully), SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
  exited: Promise<number | null>;
}

const ROOT = path.resolve(import.meta.dirname, '..', '..');
/** Log lines a child printed (warn and above at LOG_LEVEL=warn); the first ones are echoed. */
const ECHO_LINES = 15;

/**
 * The environment of a hub process on the benchmark's own stack (its database, Redis prefix and
 * Meilisearch), quiet and without demo data or a first admin, plus what the benchmark sets itself.
 */
export function hubEnv(stack: BenchStack, overrides: Record<string, string>): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    DATABASE_URL: stack.databaseUrl,
    REDIS_URL: stack.redisUrl,
    MEILI_URL: stack.meili.url,
    MEILI_MASTER_KEY: stack.meili.masterKey,
    REDIS_PREFIX: stack.prefix,
    MEILI_INDEX_PREFIX: stack.prefix,
    ADMIN_EMAIL: '',
    ADMIN_PASSWORD: '',
    DEMO_MODE: 'false',
    ...overrides,
  };
}

export function spawnHubProcess(name: string, script: string, env: Record<string, string>, say: (line: string) => void, nodeArgs: string[] = []): Child {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (!child.pid) throw new Error(`could not start ${name}`);
  let echoed = 0;
  let suppressed = 0;
  const onLine = (line: string) => {
    if (!line.trim()) return;
    if (echoed < ECHO_LINES) {
      echoed += 1;
      say(`  [${name}] ${line.length > 400 ? `${line.slice(0, 400)}…` : line}`);
    } else {
      suppressed += 1;
    }
  };
  for (const stream of [child.stdout!, child.stderr!]) {
    let buffer = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      lines.forEach(onLine);
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    if (suppressed) say(`  [${name}] … ${suppressed} more log line(s) not shown`);
    resolve(code);
  }));
  let stopping: Promise<void> | undefined;
  return {
    name,
    pid: child.pid,
    exited,
    stop: (graceMs = 15_000) =>
      (stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      })()),
  };
}

/** Polls `url` until it answers 2xx (or the child exits, or the time is up). */
export async function waitForHttp(url: string, child: Child, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child.exited.then(() => (exited = true));
  for (;;) {
    if (exited) throw new Error(`${child.name} exited before ${url} answered`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${child.name}: ${url} did not answer within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// CPU accounting from /proc: who used the two cores during a phase.

const TICK_MS = 10; // CLK_TCK is 100 on Linux

function ticksOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
  } catch {
    return 0;
  }
}

function processes(): { pid: number; comm: string; cmdline: string }[] {
  const out: { pid: number; comm: string; cmdline: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      out.push({ pid: Number(entry), comm, cmdline });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function systemTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line as [number, number, number, number, number, number, number, number];
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

export interface CpuGroups {
  /** Group name → pids, resolved at each snapshot (so a worker started later is counted). */
  pids: () => Record<string, number[]>;
  /** Postgres backends serving this database (their command line names it). */
  database: string;
}

export type CpuSnapshot = { at: number; groups: Record<string, number>; busy: number; total: number };

export function cpuSnapshot(groups: CpuGroups): CpuSnapshot {
  const result: Record<string, number> = {};
  for (const [name, pids] of Object.entries(groups.pids())) result[name] = pids.reduce((s, pid) => s + ticksOf(pid), 0);
  const procs = processes();
  result.postgres = procs.filter((p) => p.comm === 'postgres' && p.cmdline.includes(` ${groups.database} `)).reduce((s, p) => s + ticksOf(p.pid), 0);
  result.redis = procs.filter((p) => p.comm === 'redis-server').reduce((s, p) => s + ticksOf(p.pid), 0);
  const sys = systemTicks();
  return { at: performance.now(), groups: result, ...sys };
}

/**
 * CPU used between two snapshots, in core-seconds per second of wall time (2.0 = both cores busy),
 * by group; `other` is everything else on the machine (other helpers' processes, the kernel).
 */
export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot): Record<string, number> {
  const seconds = (b.at - a.at) / 1000;
  const out: Record<string, number> = {};
  let ours = 0;
  for (const name of Object.keys(b.groups)) {
    const used = Math.max(0, (b.groups[name]! - (a.groups[name] ?? 0)) * TICK_MS) / 1000;
    ours += used;
    out[name] = Math.round((used / seconds) * 100) / 100;
  }
  const busy = ((b.busy - a.busy) * TICK_MS) / 1000;
  out.other = Math.round((Math.max(0, busy - ours) / seconds) * 100) / 100;
  out.total = Math.round((busy / seconds) * 100) / 100;
  return out;
}

export const formatCpu = (cpu: Record<string, number>) =>
  Object.entries(cpu).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ');
