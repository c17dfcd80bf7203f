import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
/** `require` as the `ws` package that Socket.IO's engine uses sees it. */
const wsRequire = createRequire(require.resolve('ws', { paths: [require.resolve('engine.io', { paths: [require.resolve('socket.io')] })] }));

describe('the websocket transport', () => {
  it("masks frames with bufferutil's prebuilt native binary, loaded without any install script (npm 11 runs none)", () => {
    // bufferutil falls back to plain JavaScript when no binary loads: then ws would gain nothing from it.
    expect(wsRequire('bufferutil')).not.toBe(wsRequire('bufferutil/fallback'));
    expect(wsRequire.resolve('bufferutil')).toBe(require.resolve('bufferutil'));
    expect(process.env.WS_NO_BUFFER_UTIL).toBeUndefined();
  });

  it("validates UTF-8 with Node's own buffer.isUtf8, so utf-8-validate is not needed", () => {
    expect(typeof (require('node:buffer') as typeof import('node:buffer')).isUtf8).toBe('function');
  });
});
