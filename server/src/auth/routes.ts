import { API, DEVICE_COOKIE } from '@hub/protocol';
import { Router } from 'express';
import { mount, type ActorResolver } from '../http/mount.ts';
import type { RateLimits } from '../http/rate-limits.ts';
import type { OrganizationService } from '../organizations/service.ts';
import type { AuthService } from './service.ts';
import type { SessionStore } from './sessions.ts';

export function authRoutes(deps: {
  auth: AuthService;
  organizations: OrganizationService;
  sessions: SessionStore;
  limits: RateLimits;
  resolveActor: ActorResolver;
}): Router {
  const { auth, organizations, sessions, limits, resolveActor } = deps;
  const router = Router();

  // No session here: a registered email must get the same answer as a new one (RegistrationReceived).
  mount(router, API.register, resolveActor, async ({ body }, { req }) => {
    await limits.beforeRegister(req.ip ?? 'unknown', body.user.email);
    const created = await organizations.register(body);
    if (created) req.log.info({ userId: created.userId }, 'organization registered');
    else req.log.info('registration for an email that already has an account: answered alike, nothing written');
    return { next: 'sign_in' as const };
  });

  mount(router, API.login, resolveActor, async ({ body }, { req, res }) => {
    const { cookie } = req.headers;
    const { token, userId, device } = await auth.login(req.ip ?? 'unknown', body, sessions.tokenFromCookieHeader(cookie, DEVICE_COOKIE));
    // A new session on every sign-in; the one the browser held before (if any) ends.
    await sessions.destroy(sessions.tokenFromCookieHeader(cookie));
    res.setHeader('Set-Cookie', [sessions.cookie(token), sessions.deviceCookie(device)]);
    return auth.view(userId);
  });

  mount(router, API.logout, resolveActor, async (_input, { req, res }) => {
    await sessions.destroy(sessions.tokenFromCookieHeader(req.headers.cookie));
    res.setHeader('Set-Cookie', sessions.clearedCookie());
  });

  mount(router, API.session, resolveActor, async (_input, { actor }) => auth.view(actor!.userId));

  return router;
}
