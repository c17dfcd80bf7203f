import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connected, nextEvent } from '../../server/test/client.ts';
import { registerMember, signInStaff } from '../../server/test/factories.ts';
import { startTestHub, type TestHub } from '../../server/test/harness.ts';
import { runJob } from './processors/index.ts';
import { startWorker } from './worker.ts';

let t: TestHub;
let worker: ReturnType<typeof startWorker>;

beforeAll(async () => {
  t = await startTestHub();
  worker = startWorker(t.config, t.urls, pino({ level: 'silent' }), { metricsPort: 0 });
  await worker.listening;
});
afterAll(async () => {
  await worker.close();
  await t.close();
});

describe('worker', () => {
  it('delivers the review decision as a notification pushed to the member through the push stream the servers relay', async () => {
    const reviewer = await signInStaff(t.ctx.db, t.baseUrl, 'reviewer');
    const member = await registerMember(t.baseUrl);
    const socket = member.client.socket();
    await connected(socket);
    const pushed = nextEvent(socket, 'notification:new', 10_000);
    await reviewer.client.post(`/api/review/organizations/${member.organizationId}/decision`, { decision: 'reject', reason: '材料不全' });
    const notification = await pushed;
    expect(notification).toMatchObject({ kind: 'organization.rejected', data: { organizationId: member.organizationId, reason: '材料不全' } });
    // Pushed first, then marked delivered (at-least-once): the mark follows the push shortly.
    await expect
      .poll(async () => (await t.ctx.db.notification.findUniqueOrThrow({ where: { id: notification.id } })).deliveredAt)
      .not.toBeNull();

    const ack = await socket.emitWithAck('notification:read', { id: notification.id });
    expect(ack).toMatchObject({ ok: true, data: { id: notification.id } });
    const bad = await socket.emitWithAck('notification:read', { id: 'nope' } as never);
    expect(bad).toMatchObject({ ok: false, error: 'validation_failed' });
    socket.close();
  });

  it("refuses to mark another user's notification read over the socket", async () => {
    const owner = await registerMember(t.baseUrl);
    const other = await registerMember(t.baseUrl);
    const n = await t.ctx.db.notification.create({ data: { userId: owner.userId, kind: 'organization.approved', data: {} } });
    const socket = other.client.socket();
    await connected(socket);
    expect(await socket.emitWithAck('notification:read', { id: n.id })).toMatchObject({ ok: false, error: 'not_found' });
    socket.close();
    expect((await t.ctx.db.notification.findUniqueOrThrow({ where: { id: n.id } })).readAt).toBeNull();
  });

  it('the sweep re-enqueues notifications whose delivery job was lost', async () => {
    const member = await registerMember(t.baseUrl);
    const lost = await t.ctx.db.notification.create({
      data: { userId: member.userId, kind: 'organization.approved', data: {}, createdAt: new Date(Date.now() - 120_000) },
    });
    const socket = member.client.socket();
    await connected(socket);
    const pushed = nextEvent(socket, 'notification:new', 10_000);
    const result = await runJob({ db: t.ctx.db, broadcast: undefined as never, queue: t.ctx.queue, bull: undefined as never, matches: undefined as never, search: undefined as never, checkpoints: undefined as never }, 'sweep-notifications', {});
    expect(result).toMatchObject({ requeued: 1 });
    expect((await pushed).id).toBe(lost.id);
    socket.close();
  });
});
