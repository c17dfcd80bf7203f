import { verifyEvidence } from '@hub/db';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../test/client.ts';
import { registerMember } from '../../test/factories.ts';
import { startTestHub, type TestHub } from '../../test/harness.ts';
import { ensureFirstAdmin } from './first-admin.ts';

let t: TestHub;
const log = pino({ level: 'silent' });

beforeAll(async () => {
  t = await startTestHub();
});
afterAll(() => t.close());

describe('first admin', () => {
  it('creates an admin who can sign in, once, and records it as evidence', async () => {
    const admin = { email: 'First.Admin@Example.cn', password: 'a-long-admin-password', name: '管理员' };
    expect(await ensureFirstAdmin(t.ctx.db, admin, log)).toMatchObject({ created: true });
    expect(await ensureFirstAdmin(t.ctx.db, admin, log)).toMatchObject({ created: false });
    expect(await t.ctx.db.user.count({ where: { email: 'first.admin@example.cn', staffRole: 'admin' } })).toBe(1);
    const login = await new ApiClient(t.baseUrl).post('/api/auth/login', { email: admin.email, password: admin.password });
    expect(login.status).toBe(200);
    expect(login.body.user.staffRole).toBe('admin');
    const entries = await t.ctx.db.evidenceEntry.findMany({ where: { kind: 'staff.role_changed', subjectId: login.body.user.id } });
    expect(entries).toHaveLength(1);
    expect(await verifyEvidence(t.ctx.db, t.ctx.checkpoints)).toMatchObject({ ok: true });
  });

  it('promotes an existing user without touching their password', async () => {
    const member = await registerMember(t.baseUrl);
    const before = await t.ctx.db.user.findUniqueOrThrow({ where: { id: member.userId } });
    await ensureFirstAdmin(t.ctx.db, { email: member.input.user.email, password: 'ignored-password-x', name: 'x' }, log);
    const after = await t.ctx.db.user.findUniqueOrThrow({ where: { id: member.userId } });
    expect(after.staffRole).toBe('admin');
    expect(after.passwordHash).toBe(before.passwordHash);
  });
});
