import type { OrganizationView, SessionView, UserView } from '@hub/protocol';
import { api, setUnauthenticatedHandler } from './api.ts';

/**
 * Who is signed in, shared by every page. The session itself is an httpOnly cookie the web never
 * sees; this mirrors GET /api/auth/session. Safe as a module singleton because the app renders in
 * the browser only (`ssr = false` in the root layout).
 */
class Session {
  user = $state<UserView | null>(null);
  organization = $state<OrganizationView | null>(null);
  /** False until the first session check has answered. */
  loaded = $state(false);
  #loading: Promise<void> | null = null;

  /** Reviewers and admins work the review console. */
  readonly isReviewer = $derived(this.user?.staffRole === 'reviewer' || this.user?.staffRole === 'admin');
  /** Any staff role (reviewer, moderator, admin): the live match console. */
  readonly isStaff = $derived(Boolean(this.user?.staffRole));
  readonly isMember = $derived(this.organization !== null);

  /** Where a user lands after signing in. */
  get home(): string {
    if (this.isReviewer) return '/review';
    if (this.isStaff) return '/staff/matches';
    if (this.isMember) return '/organization';
    return '/';
  }

  /** Checks the session once (later calls share the first answer); `refresh` asks again. */
  load(fetchFn: typeof fetch = fetch, refresh = false): Promise<void> {
    if (!this.#loading || refresh) {
      this.#loading = api('session', {}, fetchFn).then((result) => {
        if (result.ok) this.set(result.data);
        else this.clear();
        this.loaded = true;
      });
    }
    return this.#loading;
  }

  set(view: SessionView): void {
    this.user = view.user;
    this.organization = view.organization;
    this.loaded = true;
  }

  clear(): void {
    this.user = null;
    this.organization = null;
  }

  async logout(): Promise<void> {
    await api('logout', {});
    this.clear();
  }
}

export const session = new Session();

setUnauthenticatedHandler(() => session.clear());
