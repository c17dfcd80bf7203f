// Browser journeys: for one spec file, the real API server and worker in-process (on the file's own
// database, Redis prefix and Meilisearch index prefix), the web process as a child, and Chromium.
import { randomBytes } from 'node:crypto';
import type { Db } from '@hub/db';
import { hashPassword } from '@hub/platform';
import type { StaffRole } from '@hub/protocol';
import { freePort } from '@hub/platform/services';
import { pino } from 'pino';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { TEST_PASSWORD } from '../server/test/factories.ts';
import { startTestHub, type TestHub } from '../server/test/harness.ts';
import { startWeb } from '../server/test/web-process.ts';
import { startWorker } from '../worker/src/worker.ts';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** How long a live update (Socket.IO push, worker job) may take to show up in the page. */
export const LIVE_TIMEOUT = 20_000;

export interface E2E {
  t: TestHub;
  worker: ReturnType<typeof startWorker>;
  /** The web process's origin: the only one the browser talks to. */
  webUrl: string;
  browser: Browser;
  /** A fresh browser context (own cookies) on the web origin, Chinese locale. */
  newContext(options?: { viewport?: { width: number; height: number } }): Promise<BrowserContext>;
  close(): Promise<void>;
}

/** Starts everything one spec file needs (`overrides`: configuration for the API server); call `close()` in afterAll. */
export async function startE2E(overrides: Record<string, string> = {}): Promise<E2E> {
  // The API takes the browser's requests only from its public origin: the web process's.
  const webPort = await freePort();
  const t = await startTestHub({ PUBLIC_URL: `http://127.0.0.1:${webPort}`, ...overrides });
  const cleanups: (() => Promise<unknown>)[] = [() => t.close()];
  const closeAll = async () => {
    // Reverse start order; keep going if one step fails, report the first failure.
    let first: unknown;
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        first ??= error;
      }
    }
    if (first) throw first;
  };
  try {
    const worker = startWorker(t.config, t.urls, pino({ level: 'silent' }), { metricsPort: 0 });
    cleanups.push(() => worker.close());
    await worker.listening;
    const web = await startWeb(t, webPort);
    cleanups.push(() => web.stop());
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
    cleanups.push(() => browser.close());
    return {
      t,
      worker,
      webUrl: web.url,
      browser,
      async newContext(options = {}) {
        const context = await browser.newContext({
          baseURL: web.url,
          locale: 'zh-CN',
          timezoneId: 'Asia/Shanghai',
          viewport: options.viewport ?? { width: 1280, height: 800 },
        });
        context.setDefaultTimeout(LIVE_TIMEOUT);
        context.setDefaultNavigationTimeout(15_000);
        return context;
      },
      close: closeAll,
    };
  } catch (error) {
    await closeAll().catch(() => {});
    throw error;
  }
}

/** A staff user inserted directly into the database (they sign in through the UI). */
export async function createStaff(db: Db, role: StaffRole = 'reviewer') {
  const email = `${role}-${randomBytes(4).toString('hex')}@staff.example.cn`;
  const name = `${role} 测试`;
  await db.user.create({ data: { email, name, passwordHash: await hashPassword(TEST_PASSWORD), staffRole: role } });
  return { email, name, password: TEST_PASSWORD };
}

/** Signs in through /login and waits for the landing page. */
export async function loginThroughUi(page: Page, email: string, password: string, landing: string) {
  await page.goto('/login');
  await page.getByLabel('电子邮箱').fill(email);
  await page.getByLabel('密码', { exact: true }).fill(password);
  await page.getByTestId('login-submit').click();
  await page.waitForURL((url) => url.pathname === landing);
}

/** Fails the spec on uncaught page errors instead of letting them show up as a timeout. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/**
 * Resolves once the page's Socket.IO connection has been accepted (the server's CONNECT packet
 * `40…` arrived, over websocket or polling): from then on the server has it in its rooms, so
 * live events are not missed. Install before the navigation or sign-in that opens the socket.
 */
export function trackLiveSocket(page: Page): { connected(timeoutMs?: number): Promise<void> } {
  const isConnectAck = (payload: string) => payload.split('\x1e').some((packet) => packet.startsWith('40'));
  let seen = false;
  let notify: (() => void) | undefined;
  const mark = () => {
    seen = true;
    notify?.();
  };
  page.on('websocket', (ws) => {
    if (!ws.url().includes('/socket.io/')) return;
    ws.on('framereceived', (frame) => {
      if (typeof frame.payload === 'string' && isConnectAck(frame.payload)) mark();
    });
  });
  page.on('response', (response) => {
    if (!response.url().includes('/socket.io/') || response.request().method() !== 'GET') return;
    response.text().then(
      (body) => isConnectAck(body) && mark(),
      () => {},
    );
  });
  return {
    connected(timeoutMs = LIVE_TIMEOUT) {
      if (seen) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no Socket.IO connection on ${page.url()} within ${timeoutMs} ms`)), timeoutMs);
        notify = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    },
  };
}

/** Marks the document, so a later `expectSameDocument` proves the page was never reloaded. */
export async function markDocument(page: Page): Promise<string> {
  const marker = randomBytes(6).toString('hex');
  await page.evaluate((value) => ((window as unknown as { __e2eMarker: string }).__e2eMarker = value), marker);
  return marker;
}

export async function documentMarker(page: Page): Promise<string | undefined> {
  return page.evaluate(() => (window as unknown as { __e2eMarker?: string }).__e2eMarker);
}
