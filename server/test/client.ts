import { DEVICE_COOKIE, SESSION_COOKIE, type ClientToServerEvents, type ServerToClientEvents } from '@hub/protocol';
import { io, type Socket } from 'socket.io-client';

/** An HTTP client that keeps its session cookie (and its known-device cookie), like a browser tab. */
export class ApiClient {
  cookie: string | undefined;
  deviceCookie: string | undefined;

  constructor(
    readonly baseUrl: string,
    readonly headers: Record<string, string> = {},
  ) {}

  async request(method: string, path: string, body?: unknown, raw?: string) {
    const cookie = [this.cookie, this.deviceCookie].filter(Boolean).join('; ');
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: {
        ...this.headers,
        ...(body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(cookie ? { cookie } : {}),
      },
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const setCookies = res.headers.getSetCookie();
    const setCookie = setCookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`)) ?? null;
    if (setCookie) {
      const value = setCookie.split(';')[0]!;
      this.cookie = value.endsWith('=') ? undefined : value;
    }
    const device = setCookies.find((c) => c.startsWith(`${DEVICE_COOKIE}=`));
    if (device) this.deviceCookie = device.split(';')[0]!;
    const text = await res.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const json: any = text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined;
    return { status: res.status, body: json, text, headers: res.headers, setCookie };
  }

  get = (path: string) => this.request('GET', path);
  post = (path: string, body?: unknown) => this.request('POST', path, body);
  put = (path: string, body?: unknown) => this.request('PUT', path, body);
  delete = (path: string, body?: unknown) => this.request('DELETE', path, body);

  /** A Socket.IO connection carrying this client's headers and cookie. */
  socket(): Socket<ServerToClientEvents, ClientToServerEvents> {
    return io(this.baseUrl, {
      transports: ['websocket'],
      extraHeaders: { ...this.headers, ...(this.cookie ? { cookie: this.cookie } : {}) },
      reconnection: false,
      forceNew: true,
    });
  }
}

/** Resolves with the first event of that name (or rejects after the timeout). */
export function nextEvent<E extends keyof ServerToClientEvents>(
  socket: Socket<ServerToClientEvents, ClientToServerEvents>,
  event: E,
  timeoutMs = 5000,
): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    (socket as any).once(event, (payload: any) => {
      clearTimeout(timer);
      resolve(payload);
    });
  });
}

export function connected(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
}
