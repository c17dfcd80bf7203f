import { hashPassword } from '@hub/platform';
import { SESSION_COOKIE, type ClientToServerEvents, type ServerToClientEvents } from '@hub/protocol';
import type pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { demoUuid } from '../../prisma/src/demo/index.ts';
import { insertRows, type BenchData } from '../search/load.ts';

export const PASSWORD = 'bench-match-password';
export type HubSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface BenchUsers {
  /** One member per organisation, same order as `data.organizationIds`. */
  members: { userId: string; email: string; organizationId: string }[];
  reviewer: { userId: string; email: string };
}

/**
 * One member (who can sign in) per loaded organisation and one reviewer. The loader's own user (the
 * author of every loaded listing) is detached from its organisation, so every organisation has exactly
 * the one member whose socket the benchmark holds and nobody receives stored notifications instead.
 */
export async function createUsers(pool: pg.Pool, data: BenchData): Promise<BenchUsers> {
  const hash = await hashPassword(PASSWORD);
  const now = new Date();
  const members = data.organizationIds.map((organizationId, i) => ({
    userId: demoUuid(`bench-match-member:${i}`),
    email: `member-${i}@bench.invalid`,
    organizationId,
  }));
  const reviewer = { userId: demoUuid('bench-match-reviewer'), email: 'reviewer@bench.invalid' };
  await insertRows(pool, '"User"', ['id', 'email', 'name', 'passwordHash', 'organizationId', 'createdAt', 'updatedAt'],
    members.map((m, i) => [m.userId, m.email, `成员${i + 1}`, hash, m.organizationId, now, now]));
  await insertRows(pool, '"User"', ['id', 'email', 'name', 'passwordHash', 'staffRole', 'createdAt', 'updatedAt'],
    [[reviewer.userId, reviewer.email, '审核员', hash, 'reviewer', now, now]]);
  await pool.query('UPDATE "User" SET "organizationId" = NULL WHERE id = $1', [data.userId]);
  return { members, reviewer };
}

/** A signed-in HTTP client (the cookie is all a browser tab keeps). */
export class Client {
  cookie: string | undefined;
  constructor(readonly baseUrl: string) {}

  async request(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(this.cookie ? { cookie: this.cookie } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie?.startsWith(`${SESSION_COOKIE}=`)) this.cookie = setCookie.split(';')[0]!;
    const text = await res.text();
    return { status: res.status, body: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
  }

  async login(email: string, password = PASSWORD) {
    const res = await this.request('POST', '/api/auth/login', { email, password });
    if (res.status !== 200 || !this.cookie) throw new Error(`login ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return this;
  }

  /** A Socket.IO connection carrying the session cookie; resolves once connected. */
  async socket(): Promise<HubSocket> {
    const socket: HubSocket = io(this.baseUrl, {
      transports: ['websocket'],
      extraHeaders: this.cookie ? { cookie: this.cookie } : {},
      reconnection: false,
      forceNew: true,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return socket;
  }
}
