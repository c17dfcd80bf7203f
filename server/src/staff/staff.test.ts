import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../test/client.ts';
import { registerMember, signInStaff } from '../../test/factories.ts';
import { startTestHub, type TestHub } from '../../test/harness.ts';

let t: TestHub;
let admin: Awaited<ReturnType<typeof signInStaff>>;
let reviewer: Awaited<ReturnType<typeof signInStaff>>;
let member: Awaited<ReturnType<typeof registerMember>>;

beforeAll(async () => {
  t = await startTestHub();
  admin = await signInStaff(t.ctx.db, t.baseUrl, 'admin');
  reviewer = await signInStaff(t.ctx.db, t.baseUrl, 'reviewer');
  member = await registerMember(t.baseUrl);
});
afterAll(() => t.close());

const anonymous = () => new ApiClient(t.baseUrl);
const roleChanges = () => t.ctx.db.evidenceEntry.count({ where: { kind: 'staff.role_changed' } });
const staffRoleOf = async (userId: string) => (await t.ctx.db.user.findUniqueOrThrow({ where: { id: userId } })).staffRole;

describe('GET /api/staff/users', () => {
  it('refuses an anonymous caller with 401', async () => {
    const res = await anonymous().get('/api/staff/users');
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('unauthenticated');
  });

  it('refuses a member and a reviewer with 403', async () => {
    for (const client of [member.client, reviewer.client]) {
      const res = await client.get('/api/staff/users');
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('forbidden');
    }
  });

  it('lists staff users for an admin, and finds any user by email', async () => {
    const list = await admin.client.get('/api/staff/users');
    expect(list.status).toBe(200);
    const ids = list.body.users.map((u: { id: string }) => u.id);
    expect(ids).toEqual(expect.arrayContaining([admin.userId, reviewer.userId]));
    expect(ids).not.toContain(member.userId);
    const found = await admin.client.get(`/api/staff/users?email=${encodeURIComponent(member.input.user.email.toUpperCase())}`);
    expect(found.status).toBe(200);
    expect(found.body.users).toEqual([{ id: member.userId, name: member.input.user.name, email: member.input.user.email, staffRole: null }]);
  });
});

describe('PUT /api/staff/users/:id/role', () => {
  const change = (client: ApiClient, id: string, body: unknown) => client.put(`/api/staff/users/${id}/role`, body);

  it('refuses an anonymous caller (401), a member and a reviewer (403), and writes nothing', async () => {
    const before = await roleChanges();
    const body = { role: 'admin', reason: '自己给自己升级' };
    const res401 = await change(anonymous(), member.userId, body);
    expect(res401.status).toBe(401);
    expect(res401.body.error).toBe('unauthenticated');
    for (const client of [member.client, reviewer.client]) {
      const res = await change(client, client === member.client ? member.userId : reviewer.userId, body);
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('forbidden');
    }
    expect(await staffRoleOf(member.userId)).toBeNull();
    expect(await staffRoleOf(reviewer.userId)).toBe('reviewer');
    expect(await roleChanges()).toBe(before);
  });

  it('refuses a missing reason with 400 validation_failed and changes nothing', async () => {
    const target = await registerMember(t.baseUrl);
    const before = await roleChanges();
    for (const body of [{ role: 'reviewer' }, { role: 'reviewer', reason: ' ' }]) {
      const res = await change(admin.client, target.userId, body);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('validation_failed');
      expect(res.body.details.fields.map((f: { path: string }) => f.path)).toEqual(['reason']);
    }
    expect(await staffRoleOf(target.userId)).toBeNull();
    expect(await roleChanges()).toBe(before);
  });

  it('refuses an unknown role or extra fields with 400', async () => {
    const before = await roleChanges();
    expect((await change(admin.client, member.userId, { role: 'superuser', reason: '试一试' })).status).toBe(400);
    expect((await change(admin.client, member.userId, { role: 'reviewer', reason: '试一试', force: true })).status).toBe(400);
    expect(await staffRoleOf(member.userId)).toBeNull();
    expect(await roleChanges()).toBe(before);
  });

  it('answers 404 user_not_found for an unknown user id, writing nothing', async () => {
    const before = await roleChanges();
    const res = await change(admin.client, randomUUID(), { role: 'reviewer', reason: '不存在的人' });
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('user_not_found');
    expect(await roleChanges()).toBe(before);
  });

  it('answers 400 for an id that is not a uuid', async () => {
    const before = await roleChanges();
    const res = await change(admin.client, 'not-a-uuid', { role: 'reviewer', reason: '格式错误' });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('validation_failed');
    expect(res.body.details.fields.map((f: { path: string }) => f.path)).toEqual(['id']);
    expect(await roleChanges()).toBe(before);
  });

  it('refuses an admin removing or lowering their own admin role with 409 staff_role_conflict', async () => {
    const before = await roleChanges();
    for (const role of [null, 'reviewer']) {
      const res = await change(admin.client, admin.userId, { role, reason: '我不想当管理员了' });
      expect(res.status).toBe(409);
      expect(res.body.error).toBe('staff_role_conflict');
    }
    expect(await staffRoleOf(admin.userId)).toBe('admin');
    expect(await roleChanges()).toBe(before);
  });

  it('grants a role with its reason, records evidence, and the chain verifies', async () => {
    const target = await registerMember(t.baseUrl);
    const before = await roleChanges();
    const res = await change(admin.client, target.userId, { role: 'reviewer', reason: '  新入职的审核员  ' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: target.userId, name: target.input.user.name, email: target.input.user.email, staffRole: 'reviewer' });
    expect(await staffRoleOf(target.userId)).toBe('reviewer');

    expect(await roleChanges()).toBe(before + 1);
    const entry = await t.ctx.db.evidenceEntry.findFirstOrThrow({ where: { kind: 'staff.role_changed', subjectId: target.userId } });
    expect(entry).toMatchObject({ subjectType: 'user', actorId: admin.userId, payload: { from: null, to: 'reviewer', reason: '新入职的审核员' } });

    const verify = await admin.client.get('/api/admin/evidence/verify');
    expect(verify.status).toBe(200);
    expect(verify.body.ok).toBe(true);
    expect(verify.body.firstBroken).toBeNull();
    expect(verify.body.checked).toBeGreaterThanOrEqual(1);
  });

  it('records nothing when the role does not change', async () => {
    const before = await roleChanges();
    const res = await change(admin.client, reviewer.userId, { role: 'reviewer', reason: '再确认一次' });
    expect(res.status).toBe(200);
    expect(res.body.staffRole).toBe('reviewer');
    expect(await roleChanges()).toBe(before);
  });

  it("takes effect at once for the target's existing session, both ways", async () => {
    const target = await registerMember(t.baseUrl);
    expect((await target.client.get('/api/review/organizations')).status).toBe(403);

    expect((await change(admin.client, target.userId, { role: 'reviewer', reason: '临时支援审核' })).status).toBe(200);
    expect((await target.client.get('/api/review/organizations')).status).toBe(200);

    expect((await change(admin.client, target.userId, { role: null, reason: '支援结束' })).status).toBe(200);
    const after = await target.client.get('/api/review/organizations');
    expect(after.status).toBe(403);
    expect(after.body.error).toBe('forbidden');

    const entries = await t.ctx.db.evidenceEntry.findMany({ where: { subjectId: target.userId }, orderBy: { seq: 'asc' } });
    expect(entries.map((e) => e.payload)).toEqual([
      { from: null, to: 'reviewer', reason: '临时支援审核' },
      { from: 'reviewer', to: null, reason: '支援结束' },
    ]);
  });
});

describe('GET /api/admin/evidence/verify', () => {
  it('refuses anonymous (401), a member and a reviewer (403)', async () => {
    expect((await anonymous().get('/api/admin/evidence/verify')).status).toBe(401);
    expect((await member.client.get('/api/admin/evidence/verify')).status).toBe(403);
    expect((await reviewer.client.get('/api/admin/evidence/verify')).status).toBe(403);
  });

  // Last in the file: it breaks the chain for good.
  it('reports the seq of an entry edited behind the trigger', async () => {
    const target = await registerMember(t.baseUrl);
    expect((await change(admin.client, target.userId, { role: 'moderator', reason: '社区管理' })).status).toBe(200);
    const good = await admin.client.get('/api/admin/evidence/verify');
    expect(good.status).toBe(200);
    expect(good.body).toMatchObject({ ok: true, firstBroken: null });

    const { seq } = await t.ctx.db.evidenceEntry.findFirstOrThrow({ where: { subjectId: target.userId } });
    const superuser = new pg.Client({ connectionString: t.urls.databaseUrl });
    await superuser.connect();
    try {
      await superuser.query('ALTER TABLE "EvidenceEntry" DISABLE TRIGGER "EvidenceEntry_append_only"');
      await superuser.query(`UPDATE "EvidenceEntry" SET payload = jsonb_set(payload, '{to}', '"admin"') WHERE seq = $1`, [seq.toString()]);
      await superuser.query('ALTER TABLE "EvidenceEntry" ENABLE TRIGGER "EvidenceEntry_append_only"');
    } finally {
      await superuser.end();
    }

    const broken = await admin.client.get('/api/admin/evidence/verify');
    expect(broken.status).toBe(200);
    expect(broken.body).toMatchObject({ ok: false, checked: Number(seq) - 1, firstBroken: { seq: Number(seq), reason: 'hash_mismatch' } });
  });
});

function change(client: ApiClient, id: string, body: unknown) {
  return client.put(`/api/staff/users/${id}/role`, body);
}
