import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, connected } from '../../test/client.ts';
import { buildRegistration, registerMember } from '../../test/factories.ts';
import { startTestHub, type TestHub } from '../../test/harness.ts';
import { buildRoom, clientKey } from '../../test/room-factory.ts';

const HUB = 'https://hub.example.cn';
const EVIL = 'https://evil.example.com';

let t: TestHub;
beforeAll(async () => {
  t = await startTestHub({ PUBLIC_URL: `${HUB}/` });
});
afterAll(() => t.close());

/** A client whose requests carry these headers, as a browser tab on some page would send them. */
const from = (headers: Record<string, string>) => new ApiClient(t.baseUrl, headers);

async function counts() {
  const [organizations, users] = await Promise.all([t.ctx.db.organization.count(), t.ctx.db.user.count()]);
  return { organizations, users };
}

describe('cross-site requests', () => {
  it("refuses a state-changing request from another site's page with 403 cross_origin_refused and writes nothing", async () => {
    const before = await counts();
    const foreign: Record<string, string>[] = [{ origin: EVIL }, { origin: 'null' }, { 'sec-fetch-site': 'cross-site' }, { origin: 'http://hub.example.cn' }];
    for (const headers of foreign) {
      const res = await from(headers).post('/api/auth/register', buildRegistration());
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(res.body).toMatchObject({ error: 'cross_origin_refused', message: expect.any(String) });
    }
    expect(await counts()).toEqual(before);
  });

  it('refuses body-less and text/plain requests that need no preflight, leaving the session and the room untouched', async () => {
    const { room, supplier } = await buildRoom(t.ctx.db, t.baseUrl);
    // What a form or fetch on another site sends with the visitor's cookie, no preflight needed.
    const upload = await fetch(`${t.baseUrl}/api/rooms/${room.id}/files?name=note.txt&clientKey=${clientKey()}`, {
      method: 'POST',
      headers: { origin: EVIL, cookie: supplier.client.cookie!, 'content-type': 'text/plain' },
      body: '伪造的附件',
    });
    expect(upload.status).toBe(403);
    expect(await upload.json()).toMatchObject({ error: 'cross_origin_refused' });
    expect(await t.ctx.db.roomEntry.count({ where: { roomId: room.id } })).toBe(0);
    const forged = from({ origin: EVIL });
    forged.cookie = supplier.client.cookie;
    expect((await forged.post('/api/auth/logout')).status).toBe(403);
    expect((await supplier.client.get('/api/auth/session')).status).toBe(200);
    // Reading is not refused: a safe method changes nothing.
    expect((await forged.get('/api/auth/session')).status).toBe(200);
  });

  it("takes the same requests from the hub's own pages and from clients that send no Origin", async () => {
    const before = await counts();
    expect((await from({ origin: HUB, 'sec-fetch-site': 'same-origin' }).post('/api/auth/register', buildRegistration())).status).toBe(202);
    expect((await from({}).post('/api/auth/register', buildRegistration())).status).toBe(202);
    expect(await counts()).toEqual({ organizations: before.organizations + 2, users: before.users + 2 });
  });

  it("refuses a socket handshake from another site's page; the hub's own page connects", async () => {
    const member = await registerMember(t.baseUrl);
    const forged = from({ origin: EVIL });
    forged.cookie = member.client.cookie;
    const hijack = forged.socket();
    await expect(connected(hijack)).rejects.toThrow('cross_origin_refused');
    hijack.close();
    const own = from({ origin: HUB });
    own.cookie = member.client.cookie;
    const socket = own.socket();
    await connected(socket);
    socket.close();
  });
});
