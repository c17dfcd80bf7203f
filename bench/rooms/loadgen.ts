/**
 * A load-generator process, forked by run.ts (IPC, advanced serialization): it holds every client of
 * its share of the rooms, so a message's sender and receivers share one clock (performance.now()).
 * It sends on a fixed open-loop schedule (a slow server does not slow the sending down), records
 * every delivery, and checks them against what the server stored.
 */
import { inBatches } from '../search/load.ts';
import type { Checked, Connected, FromLoadgen, Mode, Ran, RoomPlan, RunPlan, ToLoadgen } from './messages.ts';
import { connectClient, type Delivery, type RoomClient } from './transport.ts';

interface LiveRoom {
  plan: RoomPlan;
  clients: RoomClient[];
  /** Per client slot: the sequence numbers delivered, in arrival order. */
  received: number[][];
  acked: number;
}

const CONNECT_TIMEOUT_MS = 30_000;
/** Payload sizes are measured on this many deliveries (serialising every one would load this process). */
const SIZE_SAMPLES = 1000;
const PADDING = '关于技术许可费用、交付周期与验收标准的进一步沟通意见，请贵方确认。';

const rooms: LiveRoom[] = [];
const measured = { deliveries: 0, latencyMs: [] as number[], sizeSamples: 0, sizeSum: 0 };

const reply = (message: FromLoadgen) => process.send!(message);

process.on('message', (message: ToLoadgen) => {
  handle(message).catch((error: Error) => {
    console.error(`load generator ${process.pid}: ${error.stack ?? error}`);
    process.exit(1);
  });
});

async function handle(message: ToLoadgen) {
  switch (message.type) {
    case 'connect':
      return reply(await connect(message.mode, message.rooms, message.concurrency));
    case 'run':
      return reply(await run(message.plan));
    case 'check':
      return reply(check(message.lastSeq));
    case 'close':
      for (const room of rooms) room.clients.forEach((c) => c.close());
      setTimeout(() => process.exit(0), 200);
  }
}

/** Connects every client of the rooms (`concurrency` handshakes at a time) and opens its room. */
async function connect(mode: Mode, plans: RoomPlan[], concurrency: number): Promise<Connected> {
  const started = performance.now();
  const errors: string[] = [];
  let failed = 0;
  const slots = plans.flatMap((plan) => {
    const room: LiveRoom = { plan, clients: [], received: plan.clients.map(() => []), acked: 0 };
    rooms.push(room);
    return plan.clients.map((client, slot) => ({ room, client, slot }));
  });
  await inBatches(slots, async ([item]) => {
    const { room, client: plan, slot } = item!;
    try {
      const client = await connectClient(mode, room.plan.id, plan, CONNECT_TIMEOUT_MS);
      client.onEntry = (delivery) => record(room, slot, delivery);
      room.clients[slot] = client;
    } catch (error) {
      failed += 1;
      if (errors.length < 5) errors.push((error as Error).message);
    }
  }, 1, concurrency);
  return { type: 'connected', clients: slots.length - failed, failed, ms: performance.now() - started, errors };
}

/** Every delivery counts for the loss check; the latency is taken at the receivers other than the sender. */
function record(room: LiveRoom, slot: number, delivery: Delivery) {
  room.received[slot]!.push(delivery.seq);
  measured.deliveries += 1;
  if (measured.sizeSamples < SIZE_SAMPLES) {
    measured.sizeSamples += 1;
    measured.sizeSum += delivery.bytes();
  }
  const [sentAt, from] = delivery.body.split(' ', 2);
  if (Number(from) !== slot) measured.latencyMs.push(performance.now() - Number(sentAt));
}

/**
 * Room i sends its k-th message at start + (i / rooms + k) × period (rooms spread evenly over the
 * period), by its clients in turn; the body starts with the send time and the sender's slot.
 */
async function run(plan: RunPlan): Promise<Ran> {
  const local = [...rooms].sort((a, b) => a.plan.index - b.plan.index);
  const start = performance.now() + (plan.startAt - Date.now());
  const end = start + plan.seconds * 1000;
  const dueOf = (n: number) => start + (local[n % local.length]!.plan.index / plan.rooms + Math.floor(n / local.length)) * plan.periodMs;
  const tally = { sent: 0, acked: 0, pending: 0, errors: {} as Record<string, number>, ackMs: [] as number[], lagMs: [] as number[] };

  const emit = (n: number, due: number) => {
    const room = local[n % local.length]!;
    const k = Math.floor(n / local.length);
    const slot = k % room.clients.length;
    const sentAt = performance.now();
    tally.lagMs.push(sentAt - due);
    tally.sent += 1;
    tally.pending += 1;
    room.clients[slot]!.send(`bench-${room.plan.index}-${k}`, bodyOf(sentAt, slot, plan.bodyChars), (error) => {
      tally.pending -= 1;
      if (error) tally.errors[error] = (tally.errors[error] ?? 0) + 1;
      else {
        tally.acked += 1;
        room.acked += 1;
        tally.ackMs.push(performance.now() - sentAt);
      }
    });
  };
  await new Promise<void>((resolve) => {
    let n = 0;
    const tick = () => {
      const now = performance.now();
      for (let due = dueOf(n); due <= now && due < end; due = dueOf(++n)) emit(n, due);
      if (dueOf(n) >= end) return resolve();
      setTimeout(tick, Math.max(0, dueOf(n) - performance.now()));
    };
    tick();
  });

  const drained = await drain(tally, plan.drainMs);
  if (tally.pending) tally.errors.ack_timeout = tally.pending;
  return {
    type: 'ran',
    sent: tally.sent,
    acked: tally.acked,
    errors: tally.errors,
    latencyMs: Float64Array.from(measured.latencyMs),
    ackMs: Float64Array.from(tally.ackMs),
    lagMs: Float64Array.from(tally.lagMs),
    deliveries: measured.deliveries,
    frameBytes: Math.round(measured.sizeSum / Math.max(1, measured.sizeSamples)),
    drained,
    disconnects: rooms.reduce((s, r) => s + r.clients.reduce((t, c) => t + c.disconnects, 0), 0),
  };
}

function bodyOf(sentAt: number, slot: number, chars: number): string {
  const head = `${sentAt.toFixed(3)} ${slot} `;
  return (head + PADDING.repeat(Math.ceil(chars / PADDING.length))).slice(0, Math.max(chars, head.length + 1));
}

/** Waits until every send is answered and every client has as many deliveries as its room has acks (or the time is up). */
async function drain(tally: { pending: number }, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  const done = () => tally.pending === 0 && rooms.every((r) => r.received.every((seqs) => seqs.length >= r.acked));
  while (!done()) {
    if (performance.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/** Each client's deliveries against the sequence numbers stored for its room (1..lastSeq). */
function check(lastSeq: Record<string, number>): Checked {
  const result: Checked = { type: 'checked', lost: 0, duplicated: 0, outOfOrder: 0, phantom: 0, clientsWithLoss: 0 };
  for (const room of rooms) {
    const stored = lastSeq[room.plan.id] ?? 0;
    for (const seqs of room.received) {
      const seen = new Set<number>();
      let highest = 0;
      for (const seq of seqs) {
        if (seq < 1 || seq > stored) result.phantom += 1;
        else if (seen.has(seq)) result.duplicated += 1;
        else {
          seen.add(seq);
          if (seq < highest) result.outOfOrder += 1;
        }
        highest = Math.max(highest, seq);
      }
      result.lost += stored - seen.size;
      if (seen.size < stored) result.clientsWithLoss += 1;
    }
  }
  return result;
}
