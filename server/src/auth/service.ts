import type { Db } from '@hub/db';
import { DUMMY_HASH, verifyPassword } from '@hub/platform';
import type { LoginInput, SessionView } from '@hub/protocol';
import { AppError } from '../http/errors.ts';
import type { RateLimits } from '../http/rate-limits.ts';
import { presentOrganization } from '../organizations/presenter.ts';
import { presentUser } from '../staff/service.ts';
import type { SessionStore } from './sessions.ts';

/** Sign-in and the session view; the cookie itself is set by the routes. */
export class AuthService {
  constructor(
    private readonly db: Db,
    private readonly sessions: SessionStore,
    private readonly limits: RateLimits,
  ) {}

  /**
   * Checks the password; unknown email and wrong password fail the same way, in the same time.
   * `device` is the browser's known-device token: the owner's own device skips the account back-off,
   * and every success hands out a fresh one.
   */
  async login(ip: string, input: LoginInput, device: string | undefined): Promise<{ token: string; userId: string; device: string }> {
    const user = await this.db.user.findUnique({ where: { email: input.email }, select: { id: true, passwordHash: true } });
    const knownDevice = await this.sessions.isKnownDevice(device, user?.id);
    await this.limits.beforeLogin(ip, input.email, knownDevice);
    const ok = await verifyPassword(user?.passwordHash ?? DUMMY_HASH, input.password);
    if (!user || !ok) throw new AppError('invalid_credentials', 'Email or password is incorrect.');
    await this.limits.loginSucceeded(ip, input.email, knownDevice);
    return { token: await this.sessions.create(user.id), userId: user.id, device: await this.sessions.rememberDevice(user.id, device) };
  }

  async view(userId: string): Promise<SessionView> {
    const user = await this.db.user.findUnique({
      where: { id: userId },
      include: { organization: { include: { reviews: { orderBy: { submission: 'desc' }, take: 1 } } } },
    });
    if (!user) throw new AppError('unauthenticated', 'Sign in first.');
    return {
      user: presentUser(user),
      organization: user.organization ? presentOrganization(user.organization, user.organization.reviews[0]) : null,
    };
  }
}
