/** What the benchmark (parent) and its load-generator processes say to each other over IPC. */

/** Which system a load generator drives: the hub over Socket.IO, or the bare `ws` floor. */
export type Mode = 'hub' | 'floor';

/** One client of a room: where it connects and, for the hub, its session cookie. */
export interface ClientPlan {
  url: string;
  cookie?: string;
}

/** A room and its clients; `index` is the room's place among all rooms (it sets its send phase). */
export interface RoomPlan {
  id: string;
  index: number;
  clients: ClientPlan[];
}

export interface RunPlan {
  /** Wall-clock start (ms since the epoch), the same for every load generator. */
  startAt: number;
  seconds: number;
  /** Each room sends one message every `periodMs`. */
  periodMs: number;
  rooms: number;
  bodyChars: number;
  drainMs: number;
}

export type ToLoadgen =
  | { type: 'connect'; mode: Mode; rooms: RoomPlan[]; concurrency: number }
  | { type: 'run'; plan: RunPlan }
  /** The sequence numbers the server stored (or numbered) per room are 1..lastSeq: check every client against them. */
  | { type: 'check'; lastSeq: Record<string, number> }
  | { type: 'close' };

export interface Connected {
  type: 'connected';
  clients: number;
  failed: number;
  ms: number;
  errors: string[];
}

export interface Ran {
  type: 'ran';
  sent: number;
  acked: number;
  /** Refused or unanswered sends by error code (`ack_timeout` when no ack came within the timeout). */
  errors: Record<string, number>;
  /** Send-to-receive latency at every client of the room but the sender (ms). */
  latencyMs: Float64Array;
  /** Send-to-ack latency at the sender (ms). */
  ackMs: Float64Array;
  /** How late the load generator emitted against its schedule (ms): whether it kept up. */
  lagMs: Float64Array;
  deliveries: number;
  /** Mean size of a broadcast's JSON payload as received (bytes; Socket.IO's framing not counted), to compare the two systems' payloads. */
  frameBytes: number;
  drained: boolean;
  disconnects: number;
}

export interface Checked {
  type: 'checked';
  /** Client × sequence pairs stored but never received. */
  lost: number;
  /** Deliveries of a sequence the client already had. */
  duplicated: number;
  /** Deliveries with a lower sequence than one the client already had. */
  outOfOrder: number;
  /** Deliveries of a sequence the server never stored. */
  phantom: number;
  clientsWithLoss: number;
}

export type FromLoadgen = Connected | Ran | Checked;
