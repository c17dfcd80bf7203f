/**
 * Negotiation-room benchmark: N rooms of 4 clients each (two members per side) on two hub server
 * processes (Redis streams adapter, Postgres), every room sending messages for S seconds at an
 * aggregate rate; then the same load on a bare `ws` broadcast server (two processes) as the floor.
 * Send-to-receive latency, messages/s persisted, loss and duplication by sequence number, CPU.
 *
 *   npm run bench:rooms                                         (500 rooms, 2,000 clients, 60 s, 1,000 msg/s)
 *   npm run bench:rooms -- --rooms 50 --seconds 10 --rate 100   (a quick run)
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '@hub/platform';
import { freePort } from '@hub/platform/services';
import { Redis } from 'ioredis';
import pg from 'pg';
import { pino } from 'pino';
import { cpuBetween, cpuSnapshot, formatCpu, hubEnv, spawnHubProcess, waitForHttp, type Child, type CpuSnapshot } from '../match/procs.ts';
import { runBench, startStack } from '../search/stack.ts';
import { formatSeconds, formatSummary, ratio, summarize } from '../search/stats.ts';
import { CLIENTS_PER_ROOM, createRooms, type BenchRoom } from './data.ts';
import { Fleet } from './fleet.ts';
import type { Checked, Connected, Mode, Ran, RoomPlan } from './messages.ts';

const { values: args } = parseArgs({
  options: {
    rooms: { type: 'string', default: '500' },
    /** Only a check: always 4 per room. */
    clients: { type: 'string' },
    seconds: { type: 'string', default: '60' },
    /** Messages per second over all rooms. */
    rate: { type: 'string', default: '1000' },
    /** Message body length in characters (mostly Chinese text). */
    body: { type: 'string', default: '100' },
    loadgens: { type: 'string', default: '2' },
    /** Handshakes in flight per load generator while connecting. */
    concurrency: { type: 'string', default: '20' },
    /** How long to wait after the last send for acks and deliveries, in seconds. */
    drain: { type: 'string', default: '60' },
    /** Writes V8 CPU profiles of the hub's server processes to this directory (summarise with bench/match/cpu-profile.ts). */
    'cpu-prof': { type: 'string' },
  },
});
const ROOMS = Number(args.rooms);
const CLIENTS = ROOMS * CLIENTS_PER_ROOM;
const SECONDS = Number(args.seconds);
const RATE = Number(args.rate);
const BODY_CHARS = Number(args.body);
const LOADGENS = Number(args.loadgens);
const CONCURRENCY = Number(args.concurrency);
const DRAIN_MS = Number(args.drain) * 1000;
const SERVERS = 2;
const profArgs = args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${args['cpu-prof']}`] : [];
/** The per-user, per-room message limit is a product feature (30/min by default); the load is 0.5 messages/s per user. */
const MESSAGE_LIMIT_PER_MINUTE = 1_000_000;

const integers = [ROOMS, SECONDS, BODY_CHARS, LOADGENS, CONCURRENCY];
if (integers.some((n) => !Number.isInteger(n) || n < 1) || !(RATE > 0) || !(DRAIN_MS >= 0) || BODY_CHARS > 4000 || (args.clients !== undefined && Number(args.clients) !== CLIENTS)) {
  console.error(`usage: bench/rooms/run.ts [--rooms 500] [--clients ${CLIENTS_PER_ROOM}×rooms] [--seconds 60] [--rate 1000] [--body 100] [--loadgens 2] [--concurrency 20] [--drain 60] [--cpu-prof DIR]`);
  process.exit(2);
}

const config = loadConfig();
const say = (line: string) => console.log(line);
const log = pino({ level: 'warn', name: 'bench' });
const stack = await startStack(config, log, say, 'rooms');
const database = new URL(stack.databaseUrl).pathname.slice(1);
const children: Child[] = [];
const fleets: Fleet[] = [];
stack.onCleanup(() => Promise.all([...children.map((c) => c.stop()), ...fleets.map((f) => f.stop())]));

await runBench(stack, 'bench:rooms', main, say, 'children stopped, database dropped, Meilisearch stopped and removed, Redis keys deleted');

async function main() {
  say(`rooms benchmark: ${ROOMS} rooms × ${CLIENTS_PER_ROOM} clients = ${CLIENTS} clients, ${SECONDS} s at ${RATE} messages/s in all ` +
    `(one every ${formatSeconds((ROOMS / RATE) * 1000)} per room), ${BODY_CHARS}-character bodies, ${LOADGENS} load-generator processes`);
  const db = new pg.Pool({ connectionString: stack.databaseUrl, max: 4 });
  stack.onCleanup(() => db.end());
  const redis = new Redis(stack.redisUrl, { maxRetriesPerRequest: null });
  stack.onCleanup(async () => redis.disconnect());

  let started = performance.now();
  const rooms = await createRooms(db, redis, { ...config, REDIS_PREFIX: stack.prefix }, ROOMS);
  say(`loaded ${ROOMS} rooms, ${2 * ROOMS} organisations and ${CLIENTS} members with sessions in ${formatSeconds(performance.now() - started)}`);

  say(`\n[1] hub: ${SERVERS} server processes (node server/src/main.ts), Redis streams adapter, every message stored in Postgres before it is acked and broadcast;` +
    ` each side of a room has a member on each process; MESSAGE_LIMIT_PER_MINUTE=${MESSAGE_LIMIT_PER_MINUTE}`);
  const servers = await startServers();
  const hub = await measure({
    mode: 'hub',
    plans: rooms.map((room) => ({ id: room.id, index: room.index, clients: room.cookies.map((cookie, slot) => ({ url: servers.urls[serverOf(slot)]!, cookie })) })),
    cpuPids: Object.fromEntries(servers.children.map((c) => [c.name, [c.pid]])),
    stored: () => storedInPostgres(db),
    throughput: (window) => persistedPerSecond(db, window),
    stop: () => stopAll(servers.children),
  });
  const { throughput: persisted } = hub;
  report(hub, `persisted ${persisted.total} in the ${SECONDS} s window: ${persisted.perSecond} messages/s (slowest second ${persisted.slowest}, fastest ${persisted.fastest}); ` +
    `${hub.stored.total} stored in all; rooms whose record is not 1..lastSeq: ${hub.stored.gaps}`);

  say(`\n[2] floor: ${SERVERS} bare \`ws\` broadcast processes (bench/rooms/ws-floor.ts), same rooms, clients, rate and bodies; no storage, no broker, ` +
    `so each room's 4 clients connect to the same process (rooms split across the processes)`);
  const floors = await startFloors();
  const floor = await measure({
    mode: 'floor',
    plans: rooms.map((room) => ({ id: room.id, index: room.index, clients: room.cookies.map(() => ({ url: `${floors.urls[floorOf(room)]}/?room=${room.id}` })) })),
    cpuPids: Object.fromEntries(floors.children.map((c) => [c.name, [c.pid]])),
    stored: () => numberedByFloors(floors.urls),
    // Numbered in memory, nothing stored: all of them over the window.
    throughput: async (_window, total) => ({ total, perSecond: Math.round((total / SECONDS) * 10) / 10, slowest: null, fastest: null }),
    stop: () => stopAll(floors.children),
  });
  report(floor, `numbered ${floor.stored.total} in memory (${floor.throughput.perSecond} messages/s), nothing stored`);

  return summary(hub, floor);
}

/** Slots go supply, demand, supply, demand: slots 0–1 on server 1 and 2–3 on server 2 put each side on both processes. */
function serverOf(slot: number) {
  return Math.floor((slot * SERVERS) / CLIENTS_PER_ROOM);
}

/** Spread each load generator's rooms over both floor processes (room i goes to load generator i mod N). */
function floorOf(room: BenchRoom) {
  return Math.floor(room.index / LOADGENS) % SERVERS;
}

async function startServers() {
  const env = hubEnv(stack, { MESSAGE_LIMIT_PER_MINUTE: String(MESSAGE_LIMIT_PER_MINUTE) });
  return startProcesses('server', 'server/src/main.ts', (port) => ({ ...env, SERVER_PORT: String(port) }), 'http', profArgs);
}

function startFloors() {
  return startProcesses('floor', 'bench/rooms/ws-floor.ts', (port) => ({ PORT: String(port) }), 'ws');
}

async function startProcesses(name: string, script: string, env: (port: number) => Record<string, string>, scheme: 'http' | 'ws', nodeArgs: string[] = []) {
  const started = await Promise.all(Array.from({ length: SERVERS }, async (_, i) => {
    const port = await freePort();
    const child = spawnHubProcess(`${name}${i + 1}`, script, env(port), say, nodeArgs);
    children.push(child);
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, child);
    return { child, url: `${scheme}://127.0.0.1:${port}` };
  }));
  say(`  ${started.map((s) => `${s.child.name} ${s.url} (pid ${s.child.pid})`).join(', ')}`);
  return { children: started.map((s) => s.child), urls: started.map((s) => s.url) };
}

interface Phase {
  mode: Mode;
  plans: RoomPlan[];
  cpuPids: Record<string, number[]>;
  /** The last sequence number the system stored (hub) or gave (floor) in each room, and rooms whose record has holes. */
  stored: () => Promise<{ lastSeq: Record<string, number>; total: number; gaps: number }>;
  /** Messages the system took in during the sending window, per second. */
  throughput: (window: { start: number; end: number }, storedTotal: number) => Promise<Throughput>;
  /** Stops the system's processes; before the clients close, so that 2,000 leaving clients do not set off presence announcements during shutdown. */
  stop: () => Promise<void>;
}

interface Throughput {
  total: number;
  perSecond: number;
  slowest: number | null;
  fastest: number | null;
}

async function stopAll(processes: Child[]) {
  await Promise.all(processes.map((c) => c.stop()));
}

type Measured = Awaited<ReturnType<typeof measure>>;

/** Connects every client, runs the load, waits for the stragglers, and checks every client's deliveries. */
async function measure(phase: Phase) {
  const fleet = Fleet.start(LOADGENS);
  fleets.push(fleet);
  const connected = await fleet.ask<Connected>((i) => ({ type: 'connect', mode: phase.mode, rooms: phase.plans.filter((p) => p.index % LOADGENS === i), concurrency: CONCURRENCY }));
  const clients = connected.reduce((s, c) => s + c.clients, 0);
  const connectMs = Math.max(...connected.map((c) => c.ms));
  if (clients < CLIENTS) throw new Error(`${CLIENTS - clients} of ${CLIENTS} clients could not connect: ${connected.flatMap((c) => c.errors).join('; ')}`);
  say(`  ${clients} clients connected and in their rooms in ${formatSeconds(connectMs)} (${Math.round(clients / (connectMs / 1000))}/s, ${CONCURRENCY} handshakes in flight per load generator)`);

  const cpuGroups = { database, pids: () => ({ ...phase.cpuPids, loadgens: fleet.pids }) };
  // A pause first: the last joins' presence announcements (a cross-process fetchSockets each) finish.
  const startAt = Date.now() + 3000;
  const window = { start: startAt, end: startAt + SECONDS * 1000 };
  const cpuAt = (at: number) => new Promise<CpuSnapshot>((resolve) => setTimeout(() => resolve(cpuSnapshot(cpuGroups)), at - Date.now()));
  say(`  sending for ${SECONDS} s…`);
  const [ran, cpu0, cpu1] = await Promise.all([
    fleet.ask<Ran>(() => ({ type: 'run', plan: { startAt, seconds: SECONDS, periodMs: (ROOMS / RATE) * 1000, rooms: ROOMS, bodyChars: BODY_CHARS, drainMs: DRAIN_MS } })),
    cpuAt(window.start),
    cpuAt(window.end),
  ]);
  const stored = await phase.stored();
  const checked = await fleet.ask<Checked>(() => ({ type: 'check', lastSeq: stored.lastSeq }));
  await phase.stop();
  await fleet.stop();
  const throughput = await phase.throughput(window, stored.total);
  const cpu = cpuBetween(cpu0, cpu1);
  return { mode: phase.mode, clients, connectMs, window, stored, throughput, cpu, cost: cpuCost(cpu, throughput.perSecond), ...mergeRan(ran), ...mergeChecked(checked) };
}

/**
 * CPU the system under test spent per message (every process on the machine but the load generators
 * and other work: for the hub its servers, Postgres and Redis), and the rate two cores of its own
 * could carry at that cost: the figure least dependent on what else shares the machine.
 */
function cpuCost(cpu: Record<string, number>, perSecond: number) {
  const cores = (cpu.total ?? 0) - (cpu.other ?? 0) - (cpu.loadgens ?? 0);
  const cpuMsPerMessage = Math.round(((cores * 1000) / perSecond) * 100) / 100;
  return { cpuMsPerMessage, dedicatedCapacity: Math.round(2000 / cpuMsPerMessage) };
}

function mergeRan(replies: Ran[]) {
  const sum = (pick: (r: Ran) => number) => replies.reduce((s, r) => s + pick(r), 0);
  const all = (pick: (r: Ran) => Float64Array) => replies.flatMap((r) => Array.from(pick(r)));
  const errors: Record<string, number> = {};
  for (const r of replies) for (const [code, n] of Object.entries(r.errors)) errors[code] = (errors[code] ?? 0) + n;
  return {
    sent: sum((r) => r.sent),
    acked: sum((r) => r.acked),
    errors,
    deliveries: sum((r) => r.deliveries),
    disconnects: sum((r) => r.disconnects),
    drained: replies.every((r) => r.drained),
    frameBytes: Math.round(sum((r) => r.frameBytes) / replies.length),
    latency: summarize(all((r) => r.latencyMs)),
    ack: summarize(all((r) => r.ackMs)),
    lag: summarize(all((r) => r.lagMs)),
  };
}

function mergeChecked(replies: Checked[]) {
  const sum = (pick: (r: Checked) => number) => replies.reduce((s, r) => s + pick(r), 0);
  return {
    lost: sum((r) => r.lost),
    duplicated: sum((r) => r.duplicated),
    outOfOrder: sum((r) => r.outOfOrder),
    phantom: sum((r) => r.phantom),
    clientsWithLoss: sum((r) => r.clientsWithLoss),
  };
}

async function storedInPostgres(db: pg.Pool) {
  const { rows } = await db.query<{ id: string; lastSeq: number; entries: number }>(
    `SELECT r.id, r."lastSeq", count(e.id)::int AS entries FROM "NegotiationRoom" r LEFT JOIN "RoomEntry" e ON e."roomId" = r.id GROUP BY r.id`);
  return {
    lastSeq: Object.fromEntries(rows.map((r) => [r.id, r.lastSeq])),
    total: rows.reduce((s, r) => s + r.lastSeq, 0),
    // Entries are numbered 1..lastSeq without reuse (unique per room): a count that differs is a hole.
    gaps: rows.filter((r) => r.entries !== r.lastSeq).length,
  };
}

async function numberedByFloors(urls: string[]) {
  const lastSeq: Record<string, number> = {};
  for (const url of urls) Object.assign(lastSeq, await (await fetch(`${url.replace('ws:', 'http:')}/stats`)).json());
  return { lastSeq, total: Object.values(lastSeq).reduce((s, n) => s + n, 0), gaps: 0 };
}

/** Entries written during the sending window, per second of it (createdAt is UTC in a timestamp without time zone). */
async function persistedPerSecond(db: pg.Pool, window: { start: number; end: number }): Promise<Throughput> {
  const { rows } = await db.query<{ second: number; n: number }>(
    `SELECT floor((extract(epoch FROM "createdAt") * 1000 - $1) / 1000)::int AS second, count(*)::int AS n FROM "RoomEntry"
     WHERE "createdAt" >= to_timestamp($1 / 1000.0) AT TIME ZONE 'UTC' AND "createdAt" < to_timestamp($2 / 1000.0) AT TIME ZONE 'UTC' GROUP BY 1`,
    [window.start, window.end]);
  const perSecond = Array.from({ length: SECONDS }, (_, s) => rows.find((r) => r.second === s)?.n ?? 0);
  const total = perSecond.reduce((s, n) => s + n, 0);
  return { total, perSecond: Math.round((total / SECONDS) * 10) / 10, slowest: Math.min(...perSecond), fastest: Math.max(...perSecond) };
}

function report(m: Measured, storedLine: string) {
  const errors = Object.entries(m.errors).map(([code, n]) => `${code} ${n}`).join(', ') || 'none';
  say(`  sent ${m.sent} (${(m.sent / SECONDS).toFixed(1)}/s), acked ${m.acked}, errors: ${errors}; load generators behind schedule: p50 ${m.lag.p50.toFixed(1)} ms, p99 ${m.lag.p99.toFixed(1)} ms`);
  say(`  ${storedLine}`);
  say(`  deliveries ${m.deliveries} (${Math.round(m.deliveries / SECONDS)}/s), broadcast payload ~${m.frameBytes} bytes`);
  say(`  send → receive at the other 3 clients (ms): ${formatSummary(m.latency)}`);
  say(`  send → ack at the sender (ms):              ${formatSummary(m.ack)}`);
  say(`  lost ${m.lost} (clients with a loss: ${m.clientsWithLoss}), duplicated ${m.duplicated}, out of order ${m.outOfOrder}, never stored ${m.phantom}; ` +
    `disconnects ${m.disconnects}; ${m.drained ? 'every ack and delivery arrived' : `NOT drained within ${formatSeconds(DRAIN_MS)}`}`);
  say(`  CPU during the window (cores busy, of 2): ${formatCpu(m.cpu)}`);
  const failed = m.sent - m.acked;
  say(`  CPU cost: ${m.cost.cpuMsPerMessage} ms per message taken in (everything but the load generators and other work): at most ~${m.cost.dedicatedCapacity} messages/s on two cores of its own` +
    (failed > m.sent / 100 ? ` — not a capacity figure here: ${failed} of ${m.sent} sends failed, and the work spent on them is counted too` : ''));
}

function summary(hub: Measured, floor: Measured) {
  const persisted = hub.throughput;
  const p99Ratio = ratio(hub.latency.p99, floor.latency.p99);
  const p50Ratio = ratio(hub.latency.p50, floor.latency.p50);
  const exact = hub.lost === 0 && hub.duplicated === 0 && hub.phantom === 0;
  say(`\nhub p99 ÷ floor p99 = ${hub.latency.p99.toFixed(1)} ÷ ${floor.latency.p99.toFixed(1)} ms = ${p99Ratio}×   (p50: ${p50Ratio}×)`);
  if (hub.acked < hub.sent) say(`  note: the hub's latencies are those of the ${hub.acked} of ${hub.sent} sends it stored; the others failed (see errors above)`);
  say(`issue: ${CLIENTS} clients in ${ROOMS} rooms across ${SERVERS} processes at ≥ 1000 messages/s: offered ${RATE}/s, persisted ${persisted.perSecond}/s ` +
    `(${persisted.perSecond >= 1000 ? 'MET' : 'NOT MET'}); zero loss and duplication: ${exact ? 'MET' : 'NOT MET'}`);
  const figures = (m: Measured) => {
    const { window: _w, stored, ...rest } = m;
    return { ...rest, stored: { total: stored.total, gaps: stored.gaps } };
  };
  return {
    bench: 'rooms',
    rooms: ROOMS,
    clients: CLIENTS,
    seconds: SECONDS,
    rate: RATE,
    bodyChars: BODY_CHARS,
    loadgens: LOADGENS,
    servers: SERVERS,
    hub: figures(hub),
    floor: figures(floor),
    ratio: { p99: p99Ratio, p50: p50Ratio },
    targets: { persistedPerSecond: persisted.perSecond, rateMet: persisted.perSecond >= 1000, exact },
  };
}
