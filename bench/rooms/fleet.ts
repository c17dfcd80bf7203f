import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { FromLoadgen, ToLoadgen } from './messages.ts';

const SCRIPT = path.join(import.meta.dirname, 'loadgen.ts');

/**
 * The load-generator processes of one phase. Several, because one Node process holding 2,000
 * sockets and sending 1,000 messages/s would itself be the bottleneck on two cores; forked with IPC
 * (not spawned like the hub's processes) because they take orders and report figures.
 */
export class Fleet {
  private constructor(private readonly children: ChildProcess[]) {}

  static start(count: number): Fleet {
    return new Fleet(Array.from({ length: count }, () =>
      fork(SCRIPT, [], { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })));
  }

  get pids(): number[] {
    return this.children.map((c) => c.pid!);
  }

  get size(): number {
    return this.children.length;
  }

  /** Sends each process its message (`order(i)`) and resolves with every reply, in process order. */
  ask<R extends FromLoadgen>(order: (i: number) => ToLoadgen): Promise<R[]> {
    return Promise.all(this.children.map((child, i) => new Promise<R>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`load generator ${child.pid} exited (${code}) before it answered`));
      child.once('exit', onExit);
      child.once('message', (reply: R) => {
        child.off('exit', onExit);
        resolve(reply);
      });
      child.send(order(i));
    })));
  }

  /** Asks each process to close its clients and exit; kills what is still running after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    await Promise.all(this.children.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      if (child.connected) child.send({ type: 'close' } satisfies ToLoadgen);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }));
  }
}
