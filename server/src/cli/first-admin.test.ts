import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyEvidence } from '@hub/db';
import { serviceEnv } from '@hub/platform';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../test/client.ts';
import { registerMember, signInStaff, TEST_PASSWORD } from '../../test/factories.ts';
import { startTestHub, type TestHub } from '../../test/harness.ts';
import { ensureFirstAdmin } from './first-admin.ts';

let t: TestHub;
const log = pino({ level: 'silent' });
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

beforeAll(async () => {
  t = await startTestHub();
});
afterAll(() => t.close());

/** Runs `npm run admin:create` as an operator would, the password on standard input. */
function adminCreate(email: string, password: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/cli/admin-create.ts', '--email', email, '--name', '运维'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...serviceEnv(t.urls) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
    child.stdin.end(`${password}\n`);
  });
}

describe('first admin', () => {
  it('creates an admin who can sign in, once, and records it as evidence; a second run changes nothing, not even the password', async () => {
    const admin = { email: 'First.Admin@Example.cn', password: 'a-long-admin-password', name: '管理员' };
    expect(await ensureFirstAdmin(t.ctx.db, admin, log)).toMatchObject({ outcome: 'created' });
    const created = await t.ctx.db.user.findUniqueOrThrow({ where: { email: 'first.admin@example.cn' } });
    expect(await ensureFirstAdmin(t.ctx.db, { ...admin, password: 'another-long-password' }, log)).toEqual({ userId: created.id, outcome: 'already_admin' });
    expect((await t.ctx.db.user.findUniqueOrThrow({ where: { id: created.id } })).passwordHash).toBe(created.passwordHash);
    expect(await t.ctx.db.user.count({ where: { email: 'first.admin@example.cn', staffRole: 'admin' } })).toBe(1);
    const login = await new ApiClient(t.baseUrl).post('/api/auth/login', { email: admin.email, password: admin.password });
    expect(login.status).toBe(200);
    expect(login.body.user.staffRole).toBe('admin');
    const entries = await t.ctx.db.evidenceEntry.findMany({ where: { kind: 'staff.role_changed', subjectId: login.body.user.id } });
    expect(entries).toHaveLength(1);
    expect(await verifyEvidence(t.ctx.db, t.ctx.checkpoints)).toMatchObject({ ok: true });
  });

  it('refuses to promote an account someone registered with the operator’s email first: it stays a member with its own password', async () => {
    const member = await registerMember(t.baseUrl);
    const before = await t.ctx.db.user.findUniqueOrThrow({ where: { id: member.userId } });
    const evidenceBefore = await t.ctx.db.evidenceEntry.count();
    expect(await ensureFirstAdmin(t.ctx.db, { email: member.input.user.email, password: 'operator-password-x', name: 'x' }, log)).toEqual({
      userId: member.userId,
      outcome: 'refused',
    });
    const after = await t.ctx.db.user.findUniqueOrThrow({ where: { id: member.userId } });
    expect([after.staffRole, after.passwordHash]).toEqual([null, before.passwordHash]);
    expect(await t.ctx.db.evidenceEntry.count()).toBe(evidenceBefore);
    // The member's session stays a member's: the admin routes are closed to it.
    expect((await member.client.get('/api/staff/users')).status).toBe(403);
  });

  it('a restart with ADMIN_EMAIL set does not re-grant an admin whom another admin demoted', async () => {
    const admin = { email: 'ops@example.cn', password: 'a-long-admin-password', name: '运维' };
    const { userId } = await ensureFirstAdmin(t.ctx.db, admin, log);
    const other = await signInStaff(t.ctx.db, t.baseUrl, 'admin');
    const demoted = await other.client.put(`/api/staff/users/${userId}/role`, { role: null, reason: '人员调岗' });
    expect([demoted.status, demoted.body.staffRole]).toEqual([200, null]);
    expect(await ensureFirstAdmin(t.ctx.db, admin, log)).toEqual({ userId, outcome: 'refused' });
    expect((await t.ctx.db.user.findUniqueOrThrow({ where: { id: userId! } })).staffRole).toBeNull();
  });

  it('npm run admin:create refuses an email that already has an account: exit 1, the account unchanged and its password still the owner’s', async () => {
    const member = await registerMember(t.baseUrl);
    const refused = await adminCreate(member.input.user.email, 'operator-password-x');
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('is not promoted');
    expect((await t.ctx.db.user.findUniqueOrThrow({ where: { id: member.userId } })).staffRole).toBeNull();
    expect((await new ApiClient(t.baseUrl).post('/api/auth/login', { email: member.input.user.email, password: TEST_PASSWORD })).status).toBe(200);
  });
});
