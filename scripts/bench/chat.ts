// Benchmark (not a test) of live chat: N customer sockets and M agent sockets on loopback against the real app
// (services, database, Socket.IO), then the same load against a bare Socket.IO relay with no persistence, as the ceiling.
// Measured: customer -> agent messages (a customer sends `message:send`; latency = until the assigned agent's socket
// gets `chat:message`). Agent -> customer is not measured: the reply window allows only replyWindowMessages (at most
// 20) agent messages per customer message, so agents cannot flood.
// npx tsx scripts/bench/chat.ts [--customers 50] [--agents 5] [--seconds 10] [--rate 1000]
import { dropBenchDatabase, openBenchDatabase, positiveInt } from './common.js';
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { Server as IoServer } from 'socket.io';
import { io as connectSocket, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { loadConfig } from '../../server/config.js';
import { createLogger } from '../../server/logger.js';
import type { OpenDatabase } from '../../server/db/open.js';
import { mongoose } from '../../server/db/connect.js';
import { createApp } from '../../server/app.js';
import { attachRealtime, type Realtime } from '../../server/realtime/index.js';
import { Organization } from '../../server/models/organization.js';
import { Store } from '../../server/models/store.js';
import { Staff } from '../../server/models/staff.js';
import { ChatChannel } from '../../server/models/chat-channel.js';
import { ChatMessage, ChatSession } from '../../server/models/chat-session.js';
import { hashPassword } from '../../server/services/auth/passwords.js';
import { startVisitor } from '../../server/services/chat/visitors.js';
import { routeQueue } from '../../server/services/chat/sessions.js';
import { defaultOrgSettings } from '../../server/services/settings/org-settings.js';

const BENCH_DB = 'storelink_bench_chat';
const PASSWORD = 'storelink-bench-password';
const TARGET_PERSISTED_PER_S = 2000;
const TARGET_P99_MS = 50;
const TARGET_P99_RATE = 1000;
/** Sessions an agent may hold at once is capped at 50 by the settings schema. */
const MAX_SESSIONS_PER_AGENT = 50;
/** When the app cannot take --rate, the fixed-rate phase runs at this share of what the closed loop reached at its end. */
const SAFE_FRACTION = 0.6;

const { values: args } = parseArgs({
  options: {
    customers: { type: 'string', default: '50' },
    agents: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '10' },
    rate: { type: 'string', default: '1000' },
  },
});
const N = positiveInt('customers', args.customers);
const M = positiveInt('agents', args.agents);
const SECONDS = positiveInt('seconds', args.seconds);
const RATE = positiveInt('rate', args.rate);
if (N > M * MAX_SESSIONS_PER_AGENT) {
  process.stderr.write(`--customers must be at most ${MAX_SESSIONS_PER_AGENT} x --agents (each customer needs a session with an agent)\n`);
  process.exit(2);
}
if (SECONDS > 30) {
  process.stderr.write('--seconds must be at most 30 (four phases run; the whole run should stay within a few minutes)\n');
  process.exit(2);
}

const out = (line = '') => process.stdout.write(`${line}\n`);
const note = (line: string) => process.stderr.write(`  ${line}\n`);
const log = createLogger(process.env.LOG_LEVEL ?? 'warn');

// ---- measuring -------------------------------------------------------------------------------------------------

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * CPU time of this process and of its child processes (the stand-in or embedded mongod this script started), from
 * /proc on Linux: which side of the pair is busy. An external database (MONGODB_URI) is not a child: n/a.
 */
function childCpuMs(): number | null {
  try {
    let total = 0;
    let found = false;
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue;
      }
      // Fields after the command name (which may hold spaces): state ppid ... utime(14) stime(15), in clock ticks.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) !== process.pid) continue;
      found = true;
      total += ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    }
    return found ? total : null;
  } catch {
    return null;
  }
}

/** Node's CPU (all its threads), how busy its event loop was (the one thread that runs the app and the clients), and the database's CPU. */
function cpuMeter() {
  const own = process.cpuUsage();
  const child = childCpuMs();
  const loop = performance.eventLoopUtilization();
  const started = performance.now();
  return () => {
    const wall = performance.now() - started;
    const used = process.cpuUsage(own);
    const childNow = childCpuMs();
    return {
      node: ((used.user + used.system) / 1000 / wall) * 100,
      loop: performance.eventLoopUtilization(loop).utilization * 100,
      db: child === null || childNow === null ? null : ((childNow - child) / wall) * 100,
    };
  };
}

type Ack = { ok: boolean; error?: { code: string; message: string } };

/** Both servers speak the same protocol for this: `message:send` {clientId, text} with an ack, `chat:message` {message} to the agent. */
type Rig = { name: string; customers: Socket[]; agents: Socket[] };

type PhaseResult = {
  label: string;
  seconds: number;
  sent: number;
  acked: number;
  errors: number;
  firstError?: string;
  delivered: number;
  /** Acknowledged messages whose `chat:message` never reached an agent within the drain time. */
  lost: number;
  persisted?: number;
  /** Messages of every sender stored before the phase (the stand-in's cost per message grows with them). */
  storedBefore?: number;
  e2e: number[];
  ack: number[];
  cpu: { node: number; loop: number; db: number | null };
  /** Closed loop only: messages acknowledged in each second of the run. */
  perSecond?: number[];
  /** Open loop only: how late the generator itself was in sending (the event loop was busy). */
  sendLagP99?: number;
};

/** Sent messages by client id: when they were due, and whether the agent has seen them. */
class Tracker {
  private due = new Map<string, number>();
  e2e: number[] = [];
  delivered = 0;
  private waiters: (() => void)[] = [];
  expect(clientId: string, at: number) {
    this.due.set(clientId, at);
  }
  seen(clientId: string) {
    const at = this.due.get(clientId);
    if (at === undefined) return;
    this.due.delete(clientId);
    this.e2e.push(performance.now() - at);
    this.delivered += 1;
    if (this.due.size === 0) this.waiters.splice(0).forEach((w) => w());
  }
  forget(clientId: string) {
    this.due.delete(clientId);
  }
  get outstanding() {
    return this.due.size;
  }
  /** Waits until every expected message arrived, or the timeout. */
  drained(timeoutMs: number): Promise<void> {
    if (this.due.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

let tracker = new Tracker();
function listenAsAgent(socket: Socket): void {
  socket.on('chat:message', (payload: { message?: { clientId?: string; sender?: string } }) => {
    if (payload.message?.sender === 'customer' && payload.message.clientId) tracker.seen(payload.message.clientId);
  });
}

function emitWithAck(socket: Socket, event: string, payload: unknown): Promise<Ack> {
  return new Promise((resolve) => socket.emit(event, payload, (ack: Ack) => resolve(ack)));
}

let phaseCounter = 0;
/** Between phases: pushes the app sends after acknowledging (session updates) finish before the next phase measures. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 1500));
/** Set once the bench organisation exists: all its stored messages, of every sender. */
let countStored: () => Promise<number> = async () => 0;
const textOf = (k: number) => `测试消息 ${k}：请问这款还有货吗？`;

/** Closed loop: every customer sends its next message as soon as the previous one is acknowledged. */
async function closedLoop(rig: Rig, label: string, seconds: number, countPersisted?: () => Promise<number>): Promise<PhaseResult> {
  await settle();
  const phase = ++phaseCounter;
  tracker = new Tracker();
  const before = countPersisted ? await countPersisted() : 0;
  const storedBefore = countPersisted ? await countStored() : undefined;
  const ackTimes: number[] = [];
  let sent = 0;
  let acked = 0;
  let errors = 0;
  let firstError: string | undefined;
  const cpu = cpuMeter();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let lastAck = started;
  const perSecond: number[] = [];
  await Promise.all(
    rig.customers.map(async (socket, i) => {
      for (let k = 0; performance.now() < deadline; k += 1) {
        const clientId = `p${phase}-c${i}-${k}`;
        const t0 = performance.now();
        tracker.expect(clientId, t0);
        sent += 1;
        const ack = await emitWithAck(socket, 'message:send', { clientId, text: textOf(k) });
        lastAck = performance.now();
        if (ack.ok) {
          acked += 1;
          ackTimes.push(lastAck - t0);
          const second = Math.floor((lastAck - started) / 1000);
          perSecond[second] = (perSecond[second] ?? 0) + 1;
        } else {
          errors += 1;
          firstError ??= `${ack.error?.code}: ${ack.error?.message}`;
          tracker.forget(clientId);
        }
      }
    }),
  );
  const elapsed = (lastAck - started) / 1000;
  const usage = cpu();
  await tracker.drained(5000);
  const persisted = countPersisted ? (await countPersisted()) - before : undefined;
  return { label, seconds: elapsed, sent, acked, errors, firstError, delivered: tracker.delivered, lost: tracker.outstanding, persisted, storedBefore, e2e: tracker.e2e, ack: ackTimes, cpu: usage, perSecond: Array.from(perSecond, (n) => n ?? 0).slice(0, seconds) };
}

/**
 * Open loop at a fixed rate: message k is due at start + k / rate and goes to customer k mod N, whatever the earlier
 * ones are doing. Latency counts from when the message was due, so a generator that falls behind shows up in it.
 */
async function openLoop(rig: Rig, label: string, rate: number, seconds: number, countPersisted?: () => Promise<number>): Promise<PhaseResult> {
  await settle();
  const phase = ++phaseCounter;
  tracker = new Tracker();
  const before = countPersisted ? await countPersisted() : 0;
  const storedBefore = countPersisted ? await countStored() : undefined;
  const total = Math.round(rate * seconds);
  const ackTimes: number[] = [];
  const lags: number[] = [];
  let acked = 0;
  let errors = 0;
  let firstError: string | undefined;
  const pending: Promise<void>[] = [];
  const cpu = cpuMeter();
  const started = performance.now();
  let k = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (k < total && started + (k * 1000) / rate <= now) {
        const due = started + (k * 1000) / rate;
        lags.push(now - due);
        const clientId = `p${phase}-m${k}`;
        const socket = rig.customers[k % rig.customers.length]!;
        tracker.expect(clientId, due);
        pending.push(
          emitWithAck(socket, 'message:send', { clientId, text: textOf(k) }).then((ack) => {
            if (ack.ok) {
              acked += 1;
              ackTimes.push(performance.now() - due);
            } else {
              errors += 1;
              firstError ??= `${ack.error?.code}: ${ack.error?.message}`;
              tracker.forget(clientId);
            }
          }),
        );
        k += 1;
      }
      if (k < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  // A backlog drains within a bounded time; what is still unanswered then counts as not delivered.
  await Promise.race([Promise.all(pending), new Promise((resolve) => setTimeout(resolve, 20_000))]);
  await tracker.drained(5000);
  const elapsed = (performance.now() - started) / 1000;
  const usage = cpu();
  const persisted = countPersisted ? (await countPersisted()) - before : undefined;
  lags.sort((a, b) => a - b);
  return {
    label,
    seconds: elapsed,
    sent: k,
    acked,
    errors,
    firstError,
    delivered: tracker.delivered,
    lost: tracker.outstanding,
    persisted,
    storedBefore,
    e2e: tracker.e2e,
    ack: ackTimes,
    cpu: usage,
    sendLagP99: percentile(lags, 99),
  };
}

type Summary = { rate: number; persistedRate: number | null; e2eP50: number; e2eP99: number; ackP50: number; ackP99: number };
function summarise(r: PhaseResult): Summary {
  const e2e = [...r.e2e].sort((a, b) => a - b);
  const ack = [...r.ack].sort((a, b) => a - b);
  return {
    rate: r.acked / r.seconds,
    persistedRate: r.persisted === undefined ? null : r.persisted / r.seconds,
    e2eP50: percentile(e2e, 50),
    e2eP99: percentile(e2e, 99),
    ackP50: percentile(ack, 50),
    ackP99: percentile(ack, 99),
  };
}

const ms = (v: number) => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : 'n/a');
const perS = (v: number | null) => (v === null || !Number.isFinite(v) ? 'n/a' : `${v.toFixed(0)}/s`);
const times = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a');

function line(r: PhaseResult): string {
  const s = summarise(r);
  return (
    `  ${r.label.padEnd(34)} ${perS(s.rate).padStart(7)} acked` +
    (s.persistedRate === null ? '' : `, ${perS(s.persistedRate)} persisted`) +
    `  e2e p50 ${ms(s.e2eP50).padStart(9)} p99 ${ms(s.e2eP99).padStart(9)}  ack p50 ${ms(s.ackP50).padStart(9)} p99 ${ms(s.ackP99).padStart(9)}` +
    `  sent=${r.sent} acked=${r.acked} delivered=${r.delivered} errors=${r.errors} lost=${r.lost}` +
    `\n  ${''.padEnd(34)} node event loop busy ${r.cpu.loop.toFixed(0)}%, node CPU ${r.cpu.node.toFixed(0)}%, database CPU ${r.cpu.db === null ? 'n/a' : `${r.cpu.db.toFixed(0)}%`} (100% = one core)` +
    (r.perSecond ? `; acked per second: ${r.perSecond.join(' ')}` : '') +
    (r.storedBefore !== undefined ? `; ${r.storedBefore} messages stored before` : '') +
    (r.sendLagP99 !== undefined ? `; sender lag p99 ${ms(r.sendLagP99)}` : '') +
    (r.firstError ? `\n  ${''.padEnd(34)} first error: ${r.firstError}` : '')
  );
}

// ---- clients ---------------------------------------------------------------------------------------------------

function connected(socket: Socket): Promise<Socket> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => reject(err));
  });
}

/** Cookies as a browser keeps them: Set-Cookie values by name. */
function absorbCookies(jar: Map<string, string>, res: Response): void {
  for (const setCookie of res.headers.getSetCookie()) {
    const [pair] = setCookie.split(';');
    const eq = pair!.indexOf('=');
    if (eq > 0) jar.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
  }
}
const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');

/** The login page, then the login form with its CSRF token, as a browser does: returns the session cookies. */
async function signIn(base: string, login: string): Promise<string> {
  const jar = new Map<string, string>();
  const form = await fetch(`${base}/login`, { redirect: 'manual' });
  absorbCookies(jar, form);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1];
  if (!csrf) throw new Error(`GET /login (${form.status}) has no _csrf field`);
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(jar) },
    body: new URLSearchParams({ login, password: PASSWORD, _csrf: csrf }).toString(),
  });
  absorbCookies(jar, res);
  if (res.status !== 303) throw new Error(`POST /login as ${login} answered ${res.status}, expected 303`);
  return cookieHeader(jar);
}

const socketOptions = (): Partial<ManagerOptions & SocketOptions> => ({ transports: ['websocket'], forceNew: true, reconnection: false });

// ---- the two servers -------------------------------------------------------------------------------------------

type Running = { base: string; close(): Promise<void> };

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function startApp(): Promise<Running & { realtime: Realtime }> {
  const { app, session } = await createApp(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), createLogger('silent'));
  const server = http.createServer(app);
  const realtime = attachRealtime(server, session);
  const base = await listen(server);
  return {
    base,
    realtime,
    close: async () => {
      const closing = realtime.close();
      server.closeAllConnections();
      await closing;
    },
  };
}

/** The ceiling: a plain Socket.IO server that relays each customer message to its agent and acknowledges it, with no database. */
async function startRelay(): Promise<Running> {
  const server = http.createServer();
  const io = new IoServer(server, { serveClient: false });
  io.on('connection', (socket) => {
    void socket.join(`agent:${String(socket.handshake.auth.agent)}`);
  });
  io.of('/customer').on('connection', (socket) => {
    const room = `agent:${String(socket.handshake.auth.agent)}`;
    const sessionId = crypto.randomBytes(12).toString('hex');
    let seq = 0;
    socket.on('message:send', (payload: { clientId: string; text: string }, ack: (a: unknown) => void) => {
      seq += 1;
      const message = { id: crypto.randomBytes(12).toString('hex'), sessionId, seq, clientId: payload.clientId, sender: 'customer', agentId: null, text: payload.text, image: null, internal: false, createdAt: new Date().toISOString() };
      io.to(room).emit('chat:message', { sessionId, message });
      ack({ ok: true, data: { message } });
    });
  });
  const base = await listen(server);
  return {
    base,
    close: async () => {
      const closing = new Promise<void>((resolve) => io.close(() => resolve()));
      server.closeAllConnections();
      await closing;
    },
  };
}

// ---- run -------------------------------------------------------------------------------------------------------

let db: OpenDatabase | undefined;
const sockets: Socket[] = [];
const servers: Running[] = [];
let cleaned: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaned ??= (async () => {
    for (const s of sockets) s.close();
    for (const s of servers) await s.close().catch(() => undefined);
    // The app marks agents offline on disconnect without awaiting it: let that finish before the database goes.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    if (db) {
      await dropBenchDatabase(BENCH_DB).catch((err: Error) => process.stderr.write(`could not drop ${BENCH_DB}: ${err.message}\n`));
      await db.close();
    }
  })();
  return cleaned;
}
process.once('SIGINT', () => {
  process.stderr.write('\ninterrupted: dropping the bench database\n');
  void cleanup().finally(() => process.exit(130));
});

let exitCode = 0;
try {
  const runStarted = performance.now();
  // Ephemeral: without MONGODB_URI the script starts a throwaway server of its own (embedded mongod or the stand-in).
  db = await openBenchDatabase(BENCH_DB, 'ephemeral', log);

  // The rate limit is a protection, not what is measured: 100 messages per second per customer is far above this load.
  const perAgent = Math.min(MAX_SESSIONS_PER_AGENT, Math.ceil(N / M));
  const org = await Organization.create({
    name: 'Bench chat',
    settings: { ...defaultOrgSettings, customerMessageLimit: 100, customerMessageWindowSeconds: 1, maxConcurrentSessions: perAgent },
  });
  const orgId = org._id;
  const store = await Store.create({ orgId, name: 'Bench store', address: '南京西路 1 号', city: '上海' });
  const passwordHash = await hashPassword(PASSWORD);
  const agents = await Staff.insertMany(Array.from({ length: M }, (_, i) => ({ orgId, login: `bench-agent-${i + 1}`, passwordHash, realName: `客服${i + 1}`, roles: ['agent'], storeId: store._id, status: 'active' })));
  const channel = await ChatChannel.create({ orgId, key: crypto.randomBytes(12).toString('base64url'), name: 'Bench channel', storeId: store._id, routing: 'least_busy', welcomeMessage: '您好，欢迎咨询！', closingMessage: '感谢咨询', offlineMessage: '客服暂时不在' });

  const app = await startApp();
  servers.push(app);
  const step = (() => {
    let last = performance.now();
    return (what: string) => {
      const now = performance.now();
      note(`${what} (${((now - last) / 1000).toFixed(1)} s)`);
      last = now;
    };
  })();
  step(`database, organisation and app ready on ${app.base}`);
  const agentSockets: Socket[] = [];
  for (const agent of agents) {
    const cookie = await signIn(app.base, agent.login);
    const socket = await connected(connectSocket(app.base, { ...socketOptions(), extraHeaders: { cookie } }));
    sockets.push(socket);
    listenAsAgent(socket);
    const ack = await emitWithAck(socket, 'chat:presence', { status: 'online' });
    if (!ack.ok) throw new Error(`chat:presence failed: ${ack.error?.code}`);
    agentSockets.push(socket);
  }
  step(`${M} agents signed in over HTTP, connected and online`);
  const customerSockets: Socket[] = [];
  for (let i = 0; i < N; i += 1) {
    const { token } = await startVisitor(channel.key, { name: `顾客${i + 1}`, phone: '' });
    const socket = await connected(connectSocket(`${app.base}/customer`, { ...socketOptions(), auth: { token } }));
    sockets.push(socket);
    customerSockets.push(socket);
  }
  step(`${N} visitors started and connected to /customer`);
  // Every customer's first message opens a session that routing gives to an agent (least busy first).
  await Promise.all(customerSockets.map((s, i) => emitWithAck(s, 'message:send', { clientId: `open-${i}`, text: '你好' })));
  // Concurrent routing can leave a session queued while agents have room (see the report); route again until none is.
  let stranded = 0;
  for (let attempt = 0; attempt < 5 && (await ChatSession.countDocuments({ orgId, state: 'serving' })) < N; attempt += 1) {
    if (attempt === 0) stranded = await ChatSession.countDocuments({ orgId, state: 'queued' });
    await routeQueue(String(orgId));
  }
  const serving = await ChatSession.countDocuments({ orgId, state: 'serving' });
  if (serving !== N) throw new Error(`${serving} of ${N} sessions are with an agent; expected all`);
  step(`${N} sessions opened and routed to agents`);
  const countPersisted = () => ChatMessage.countDocuments({ orgId, sender: 'customer' });
  countStored = () => ChatMessage.countDocuments({ orgId });
  const appRig: Rig = { name: 'app', customers: customerSockets, agents: agentSockets };

  const relay = await startRelay();
  servers.push(relay);
  const relayAgents: Socket[] = [];
  for (let a = 0; a < M; a += 1) {
    const socket = await connected(connectSocket(relay.base, { ...socketOptions(), auth: { agent: a } }));
    sockets.push(socket);
    listenAsAgent(socket);
    relayAgents.push(socket);
  }
  const relayCustomers: Socket[] = [];
  for (let i = 0; i < N; i += 1) {
    const socket = await connected(connectSocket(`${relay.base}/customer`, { ...socketOptions(), auth: { agent: i % M } }));
    sockets.push(socket);
    relayCustomers.push(socket);
  }
  const relayRig: Rig = { name: 'relay', customers: relayCustomers, agents: relayAgents };
  note(`setup took ${((performance.now() - runStarted) / 1000).toFixed(1)} s; warming up...`);

  // Untimed warm-up of both, so neither pays for JIT compilation and first-use allocations.
  await closedLoop(appRig, 'warm-up', 1, countPersisted);
  await closedLoop(relayRig, 'warm-up', 1);

  note(`(a) app, max throughput for ${SECONDS} s...`);
  const a = await closedLoop(appRig, '(a) app, max (closed loop)', SECONDS, countPersisted);
  const aSum = summarise(a);
  // A fixed rate the app cannot keep only grows a queue: run below what it showed it sustains.
  // Its last two seconds, not its average: on a database whose cost grows with the stored messages, the start flatters.
  const tail = (a.perSecond ?? []).slice(-2);
  const lastRate = tail.length ? tail.reduce((x, y) => x + y, 0) / tail.length : aSum.rate;
  const sustainable = Math.floor(Math.min(aSum.persistedRate ?? aSum.rate, lastRate) * SAFE_FRACTION);
  const rateB = Math.max(1, Math.min(RATE, sustainable));
  note(`(b) app, fixed ${rateB}/s for ${SECONDS} s...`);
  const b = await openLoop(appRig, `(b) app, fixed ${rateB}/s (open loop)`, rateB, SECONDS, countPersisted);
  note(`(c) relay, max throughput for ${SECONDS} s...`);
  const c = await closedLoop(relayRig, '(c) relay, max (closed loop)', SECONDS);
  note(`(c) relay, fixed ${rateB}/s for ${SECONDS} s...`);
  const cSame = await openLoop(relayRig, `(c) relay, fixed ${rateB}/s (open loop)`, rateB, SECONDS);
  const cTarget = rateB === RATE ? null : await openLoop(relayRig, `(c) relay, fixed ${RATE}/s (open loop)`, RATE, SECONDS);
  const bSum = summarise(b);
  const cSum = summarise(c);
  const cSameSum = summarise(cSame);

  const totalMessages = await countPersisted();
  const keptUp = (r: PhaseResult, rate: number) => r.acked / r.seconds >= 0.95 * rate && r.lost === 0;
  out();
  out('== Storelink live chat: customer -> agent messages ==');
  out(`database kind      ${db.kind}` + (db.kind === 'standin' ? ' (mongo-java-server: a Java stand-in that runs one command at a time, far slower than mongod; set MONGODB_URI for a real MongoDB)' : ''));
  out(`machine            ${os.cpus().length} cores; app server, all clients and the relay share one Node process; the database is another process`);
  out(`clients            ${N} customers on /customer, ${M} agents on / (${perAgent} sessions each at most), all sessions serving; loopback, websocket transport`);
  out(`org settings       customerMessageLimit 100 per 1 s (raised from 10 per 10 s so the limit does not shape the load), maxConcurrentSessions ${perAgent}`);
  out('measured           customer message:send -> the assigned agent\'s chat:message (e2e), and -> the customer\'s ack (ack)');
  out('not measured       agent -> customer: the reply window allows at most replyWindowMessages (5 by default, 20 at most) per customer message');
  if (stranded) out(`routing            ${stranded} of ${N} first messages were left queued with free agent slots (concurrent routing); routed again before measuring`);
  out(`run                ${SECONDS} s per phase; the closed loop keeps one message in flight per customer; the open loop sends on a fixed schedule and counts latency from when a message was due`);
  out(line(a));
  out(line(b));
  out(`  ${''.padEnd(34)} kept up with ${rateB}/s: ${keptUp(b, rateB) ? 'yes' : `no (${perS(bSum.rate)} acked over the run and its drain)`}`);
  out(line(c));
  out(line(cSame));
  if (cTarget) out(line(cTarget));
  out(`  customer messages stored in all phases: ${totalMessages} (ChatMessage documents, sender customer)`);
  if (a.cpu.loop >= 95) out(`bottleneck         at full load the Node event loop (app and clients) was busy ${a.cpu.loop.toFixed(0)}% of the time while the database used ${a.cpu.db === null ? 'an unknown share' : `${a.cpu.db.toFixed(0)}%`} of a core: the app's own work per message limits it`);
  if (db.kind === 'standin') out('stand-in note      it builds only unique indexes and answers sorted queries (such as a session\'s latest seq) by scanning, so its share of each message grows with the messages stored; a real MongoDB (MONGODB_URI) uses the indexes');
  out();
  out('ratios (app / bare relay)');
  out(`  max throughput    ${times(aSum.persistedRate ?? Number.NaN, cSum.rate)}  (${perS(aSum.persistedRate)} persisted vs ${perS(cSum.rate)} relayed)`);
  out(`  e2e p50 @${rateB}/s   ${times(bSum.e2eP50, cSameSum.e2eP50)}  (${ms(bSum.e2eP50)} vs ${ms(cSameSum.e2eP50)})`);
  out(`  e2e p99 @${rateB}/s   ${times(bSum.e2eP99, cSameSum.e2eP99)}  (${ms(bSum.e2eP99)} vs ${ms(cSameSum.e2eP99)})`);
  // Event-loop time per message at full load: what one message costs the single Node thread (clients included).
  const loopMsPerMessage = (r: PhaseResult) => (r.cpu.loop / 100) * (r.seconds * 1000) / Math.max(1, r.acked);
  out(`  loop ms/message   ${times(loopMsPerMessage(a), loopMsPerMessage(c))}  (${loopMsPerMessage(a).toFixed(2)} ms vs ${loopMsPerMessage(c).toFixed(3)} ms of the Node event loop per message at full load, clients included)`);
  out();
  const check = (ok: boolean) => {
    if (!ok) exitCode = 1;
    return ok ? 'PASS' : 'FAIL';
  };
  const clean = (r: PhaseResult) => r.errors === 0 && r.lost === 0 && r.delivered === r.acked;
  out(`[${check(clean(a) && clean(b))}] app: every acknowledged message reached its agent, no errors`);
  out(`[${check(a.persisted === a.acked && b.persisted === b.acked)}] app: every acknowledged message is stored once (persisted ${a.persisted}/${b.persisted} = acked ${a.acked}/${b.acked})`);
  out(`[${check((aSum.persistedRate ?? 0) >= TARGET_PERSISTED_PER_S)}] at least ${TARGET_PERSISTED_PER_S} persisted messages/s (measured ${perS(aSum.persistedRate)}, ${times(aSum.persistedRate ?? Number.NaN, TARGET_PERSISTED_PER_S)} of the target)`);
  if (rateB === RATE) {
    out(`[${check(bSum.e2eP99 < TARGET_P99_MS)}] e2e p99 under ${TARGET_P99_MS} ms at ${TARGET_P99_RATE}/s (measured ${ms(bSum.e2eP99)} at ${RATE}/s)`);
  } else {
    check(false);
    out(`[FAIL] e2e p99 under ${TARGET_P99_MS} ms at ${TARGET_P99_RATE}/s: not measurable here, the app reached ${perS(lastRate)} at the end of (a), so the fixed-rate phase ran at ${rateB}/s (${SAFE_FRACTION * 100} % of that) instead of ${RATE}/s; e2e p99 there ${ms(bSum.e2eP99)}`);
  }
  out(`total run time     ${((performance.now() - runStarted) / 1000).toFixed(1)} s; peak RSS (node) ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
} catch (err) {
  process.stderr.write(`benchmark failed: ${(err as Error).stack ?? String(err)}\n`);
  exitCode = 1;
} finally {
  await cleanup();
}
process.exitCode = exitCode;
