import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { serviceFailure, type PrerequisiteError } from './errors.ts';

/** A service process we started: its last output lines explain an early exit. */
export interface ServiceProcess {
  child: ChildProcess;
  /** Resolves with the exit code (or signal) when the process ends. */
  exited: Promise<string>;
  /** The error for the terminal: it failed because of `reason`, what it printed last, what to do. */
  failure: (reason: string, cause?: unknown) => PrerequisiteError;
}

/** How a service's failure reads: "The embedded X on port N failed to start" and what to do about it. */
export interface FailureText {
  failed: string;
  todo: string;
}

/**
 * Spawns a long-running service in its own process group (so a Ctrl-C in the terminal reaches only
 * `npm start`, which then stops things in order) and forwards its output lines to the logger.
 */
export function spawnService(
  name: string,
  command: string,
  args: string[],
  options: SpawnOptions & FailureText & { log: Logger; level?: (line: string) => 'debug' | 'info' | 'warn' },
): ServiceProcess {
  const { log, level = () => 'debug', failed, todo, ...spawnOptions } = options;
  const child = spawn(command, args, { ...spawnOptions, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      const text = line.replace(/\x1b\[[0-9;]*m/g, '').trim(); // Meilisearch colours its log even into a pipe
      if (!text) continue;
      lines.push(text);
      if (lines.length > 30) lines.shift();
      log[level(text)]({ service: name }, text);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `code ${code}`));
    child.once('error', (error) => resolve(error.message));
  });
  const failure = (reason: string, cause?: unknown) => serviceFailure({ failed, reason, printed: lines.slice(-8).join('\n'), todo, cause });
  return { child, exited, failure };
}

/** Resolves once the child has spawned, or rejects with its failure, the spawn error (ENOENT when the binary is missing) as cause. */
export function spawned(service: ServiceProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    service.child.once('spawn', () => resolve());
    service.child.once('error', (error) => reject(service.failure(`it could not be run (${error.message})`, error)));
  });
}

/** Polls `probe` until it returns true; rejects with the service's failure when it exits or time runs out. */
export async function waitUntil(probe: () => Promise<boolean>, options: { service: ServiceProcess; timeoutMs: number }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let exitReason: string | undefined;
  void options.service.exited.then((reason) => (exitReason = reason));
  for (;;) {
    if (exitReason !== undefined) throw options.service.failure(`it exited (${exitReason})`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw options.service.failure(`it did not become ready within ${Math.round(options.timeoutMs / 1000)} s`);
    await sleep(50);
  }
}

/** Sends `signal`, waits up to `graceMs`, then SIGKILLs. Resolves when the process is gone. */
export async function stopProcess(service: ServiceProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  const { child } = service;
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await service.exited;
  clearTimeout(timer);
}

/** Alive and not a zombie (a container whose pid 1 never reaps would otherwise keep us waiting forever). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no procfs (macOS): trust kill(0)
  }
}

function isGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return isAlive(pgid);
  }
}

async function commandLine(pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ');
}

/**
 * A previous run that crashed can leave its service running (it has its own process group) or leave a
 * pid file pointing at a pid that now belongs to something else. If the pid file names a live process
 * whose command line contains `marker`, stop it; then remove the pid file.
 * @returns true when a leftover process was stopped
 */
export async function reapLeftover(
  pidFile: string,
  marker: string,
  log: Logger,
  options: {
    signal?: NodeJS.Signals;
    graceMs?: number;
    removePidFile?: boolean;
    /** The pid led its own process group (we start everything that way): signal the whole group. */
    group?: boolean;
  } = {},
): Promise<boolean> {
  const { signal = 'SIGTERM', graceMs = 10_000, removePidFile = true, group = true } = options;
  const text = await readFile(pidFile, 'utf8').catch(() => undefined);
  if (text === undefined) return false;
  const pid = Number.parseInt(text.split('\n')[0] ?? '', 10);
  let reaped = false;
  if (Number.isInteger(pid) && pid > 1 && isAlive(pid) && (await commandLine(pid)).includes(marker)) {
    log.warn({ pid, pidFile }, `stopping ${marker} left running by a previous run`);
    const target = group ? -pid : pid;
    const send = (sig: NodeJS.Signals) => {
      try {
        process.kill(target, sig);
      } catch {
        process.kill(pid, sig); // not a group leader after all
      }
    };
    const running = () => (group ? isGroupAlive(pid) : isAlive(pid));
    send(signal);
    const deadline = Date.now() + graceMs;
    while (running() && Date.now() < deadline) await sleep(50);
    if (running()) send('SIGKILL');
    while (isAlive(pid)) await sleep(20);
    reaped = true;
  }
  if (removePidFile) await rm(pidFile, { force: true });
  return reaped;
}

export async function writePidFile(pidFile: string, pid: number | undefined): Promise<void> {
  if (pid !== undefined) await writeFile(pidFile, `${pid}\n`);
}
