import type { ClientToServerEvents, ServerToClientEvents } from '@hub/protocol';
import { io, type Socket } from 'socket.io-client';

export type HubSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
type EventName = keyof ServerToClientEvents;
type RequestName = keyof ClientToServerEvents;
/** What a client event sends, and what its ack carries. */
type RequestInput<E extends RequestName> = Parameters<ClientToServerEvents[E]>[0];
type RequestAck<E extends RequestName> = Parameters<Parameters<ClientToServerEvents[E]>[1]>[0];

/** How long a client event waits for its ack before the caller treats it as lost (and may resend). */
const ACK_TIMEOUT_MS = 10_000;

/**
 * The one Socket.IO connection (same origin, `/socket.io`, authenticated by the session cookie at
 * the handshake). The server puts the socket in its rooms; pages only subscribe to events.
 * Connected only while someone is signed in; socket.io-client reconnects on its own after network
 * loss, and `connectedAt` lets pages refetch what was pushed before they were listening.
 */
class Live {
  status = $state<'off' | 'connecting' | 'connected' | 'disconnected'>('off');
  /** When the socket last (re)connected: anything pushed before that, while not connected, was missed. */
  connectedAt = $state(0);
  #socket: HubSocket | null = null;
  #retry: ReturnType<typeof setTimeout> | undefined;

  #ensure(): HubSocket {
    if (this.#socket) return this.#socket;
    const socket: HubSocket = io({ path: '/socket.io', autoConnect: false, withCredentials: true });
    socket.on('connect', () => {
      this.status = 'connected';
      this.connectedAt = Date.now();
    });
    socket.on('disconnect', () => {
      if (this.status !== 'off') this.status = 'disconnected';
    });
    socket.on('connect_error', () => {
      if (this.status === 'off') return;
      this.status = 'disconnected';
      // A refused handshake (e.g. the session cookie is not accepted yet) stops the built-in retries.
      if (!socket.active) {
        clearTimeout(this.#retry);
        this.#retry = setTimeout(() => this.status !== 'off' && socket.connect(), 5000);
      }
    });
    this.#socket = socket;
    return socket;
  }

  connect(): void {
    if (this.status !== 'off') return;
    this.status = 'connecting';
    this.#ensure().connect();
  }

  /** Disconnects (on sign-out), so the next sign-in handshakes with the new cookie. */
  disconnect(): void {
    this.status = 'off';
    clearTimeout(this.#retry);
    this.#socket?.disconnect();
  }

  /**
   * Sends a client event and waits for its ack. Null when the socket is not connected (nothing is
   * sent: socket.io would otherwise buffer it and send it after a reconnect, behind the caller's
   * back) or when no ack came in time; the caller decides whether to resend.
   */
  async request<E extends RequestName>(event: E, input: RequestInput<E>, timeoutMs = ACK_TIMEOUT_MS): Promise<RequestAck<E> | null> {
    const socket = this.#socket as unknown as Socket | null;
    if (!socket?.connected) return null;
    try {
      return (await socket.timeout(timeoutMs).emitWithAck(event as string, input)) as RequestAck<E>;
    } catch {
      return null;
    }
  }

  /** Subscribes to a server event; returns the unsubscribe function (use it as an `$effect` cleanup). */
  on<E extends EventName>(event: E, handler: ServerToClientEvents[E]): () => void {
    // The typed map guarantees the handler matches the event; the untyped view avoids a generic
    // overload socket.io's types cannot resolve for a type parameter.
    const socket = this.#ensure() as unknown as Socket;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const listener = handler as (...args: any[]) => void;
    socket.on(event as string, listener);
    return () => {
      socket.off(event as string, listener);
    };
  }
}

export const live = new Live();

/**
 * Calls `refetch` whenever the socket connects after the caller's data was loaded: a page loaded
 * before the connection was up (or during an outage) may have missed pushes. Call it from a
 * component's script so the effect is owned by the component.
 */
export function refetchOnConnect(refetch: () => unknown): void {
  let loadedAt = Date.now();
  $effect(() => {
    if (live.connectedAt > loadedAt) {
      loadedAt = live.connectedAt;
      void refetch();
    }
  });
}
