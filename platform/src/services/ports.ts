import net from 'node:net';
import { PrerequisiteError } from './errors.ts';

/** A TCP port that was free on 127.0.0.1 a moment ago (the OS picks it). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** True when something accepts TCP connections on host:port. */
export function isListening(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Throws a one-sentence PrerequisiteError when `port` cannot be listened on.
 * @param what who wants the port, e.g. "the API server" or "the embedded Redis"
 * @param envVar the setting that moves it, e.g. "SERVER_PORT"
 */
export async function assertPortFree(port: number, what: string, envVar?: string, host = '127.0.0.1'): Promise<void> {
  const problem = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
  if (!problem) return;
  const fix = envVar ? `stop the program using it or set ${envVar} to a free port` : 'stop the program using it';
  const reason = problem.code === 'EADDRINUSE' ? 'is already in use' : `cannot be opened (${problem.code ?? problem.message})`;
  throw new PrerequisiteError(`Port ${port} on ${host} ${reason}, so ${what} cannot listen on it: ${fix}.`);
}
