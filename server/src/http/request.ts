import type { Logger } from '@hub/platform';
import type { Actor } from '../auth/actor.ts';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      id: string;
      log: Logger;
      /** Resolved lazily by `mount` from the session cookie. */
      actor?: Actor | null;
    }
  }
}

export {};
