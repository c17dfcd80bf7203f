import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { PrerequisiteError } from './errors.ts';
import { assertPortFree, freePort } from './ports.ts';

describe('assertPortFree', () => {
  it('names the port, who wanted it and the setting to change when the port is taken', async () => {
    const port = await freePort();
    const holder = net.createServer().listen(port, '127.0.0.1');
    await new Promise((resolve) => holder.once('listening', resolve));
    try {
      const error = await assertPortFree(port, 'the API server', 'SERVER_PORT').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PrerequisiteError);
      expect((error as Error).message).toBe(
        `Port ${port} on 127.0.0.1 is already in use, so the API server cannot listen on it: stop the program using it or set SERVER_PORT to a free port.`,
      );
    } finally {
      holder.close();
    }
  });

  it('passes for a free port', async () => {
    await expect(assertPortFree(await freePort(), 'the API server', 'SERVER_PORT')).resolves.toBeUndefined();
  });
});
