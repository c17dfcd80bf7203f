import type { ServerToClientEvents } from '@hub/protocol';

/** How services push to socket rooms without knowing about Socket.IO (the gateway implements it). */
export interface Broadcaster {
  to<E extends keyof ServerToClientEvents>(room: string, event: E, ...args: Parameters<ServerToClientEvents[E]>): void;
}
