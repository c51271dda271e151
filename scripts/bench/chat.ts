// Benchmark (not a test) of live chat: N customer sockets and M agent sockets on loopback against the real app
// (services, database, Socket.IO), then the same load against a bare Socket.IO relay with no persistence, as the ceiling.
// Measured: customer -> agent messages (a customer sends `message:send`; latency = until the assigned agent's socket
// gets `chat:message`). Agent -> customer is not measured: the reply window allows only replyWindowMessages (at most
// 20) agent messages per customer message, so agents cannot flood.
// The clients run in a child process (chat-clients.ts), so the figures are the server's, not the clients' sharing
// its event loop; the relay is loaded by the same child, so the ratio compares like with like.
// npx tsx scripts/bench/chat.ts [--customers 50] [--agents 5] [--seconds 10] [--rate 1000]
import { benchCleanup, openBenchDatabase, positiveInt, type BenchDatabase } from './common.js';
import { descendantCpuMs, percentile, procCpuMs } from './measure.js';
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { Server as IoServer } from 'socket.io';
import { mongoose } from '../../server/db/connect.js';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ClientResult, Command, ConnectSpec, Reply } from './chat-clients.js';
import { loadConfig } from '../../server/config.js';
import { createLogger } from '../../server/logger.js';
import { createApp } from '../../server/app.js';
import { attachRealtime, type Realtime } from '../../server/realtime/index.js';
import { Organization } from '../../server/models/organization.js';
import { Store } from '../../server/models/store.js';
import { Staff } from '../../server/models/staff.js';
import { ChatChannel } from '../../server/models/chat-channel.js';
import { ChatMessage, ChatSession } from '../../server/models/chat-session.js';
import { hashPassword } from '../../server/services/auth/passwords.js';
import { startVisitor } from '../../server/services/chat/visitors.js';
import { defaultOrgSettings } from '../../server/domain/settings.js';

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

/** CPU time (ms) the whole machine spent busy (all cores), from /proc/stat: with the three processes' own, what others used. */
function machineBusyMs(): number | null {
  try {
    const [, ...ticks] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
    // user nice system idle iowait irq softirq steal: idle and iowait are not busy.
    const busy = ticks.slice(0, 8).reduce((sum, t, i) => (i === 3 || i === 4 ? sum : sum + t), 0);
    return (busy * 1000) / 100;
  } catch {
    return null;
  }
}

/** Write system calls this process made (socket writes included), from /proc/self/io: each frame or command sent alone costs one. */
function writeSyscalls(): number | null {
  try {
    return Number(/^syscw: (\d+)$/m.exec(fs.readFileSync('/proc/self/io', 'utf8'))?.[1] ?? Number.NaN);
  } catch {
    return null;
  }
}

/**
 * What the server sends per message, counted where it happens rather than guessed from system calls: Socket.IO
 * packets written to any client (acknowledgements and pushes; engine.io's pings left out), and database commands
 * (each checks a connection out of the driver's pool once: one round trip).
 */
const sent = { packets: 0, dbCommands: 0 };
function countPackets(io: IoServer): void {
  io.engine.on('connection', (conn: { on(event: 'packetCreate', listener: (packet: { type: string }) => void): void }) =>
    conn.on('packetCreate', (packet) => {
      if (packet.type === 'message') sent.packets += 1;
    }),
  );
}
function countDbCommands(): void {
  mongoose.connection.getClient().on('connectionCheckedOut', () => (sent.dbCommands += 1));
}

/**
 * Where the CPU went during a phase: this process (the server being measured, app or relay) and how busy its event
 * loop was, the load generator's process, and the database's.
 */
function cpuMeter() {
  const own = process.cpuUsage();
  const db = descendantCpuMs([clients?.pid]);
  const gen = clients ? procCpuMs(clients.pid) : null;
  const machine = machineBusyMs();
  const writes = writeSyscalls();
  const counted = { ...sent };
  const loop = performance.eventLoopUtilization();
  const started = performance.now();
  return () => {
    const wall = performance.now() - started;
    const used = process.cpuUsage(own);
    const dbNow = descendantCpuMs([clients?.pid]);
    const genNow = clients ? procCpuMs(clients.pid) : null;
    const machineNow = machineBusyMs();
    const writesNow = writeSyscalls();
    const node = ((used.user + used.system) / 1000 / wall) * 100;
    const dbShare = db === null || dbNow === null ? null : ((dbNow - db) / wall) * 100;
    const clientShare = gen === null || genNow === null ? null : ((genNow - gen) / wall) * 100;
    return {
      node,
      loop: performance.eventLoopUtilization(loop).utilization * 100,
      db: dbShare,
      clients: clientShare,
      // Anything else on the machine (another run, a build) competes for the same cores: shown so a figure can be trusted.
      writes: writes === null || writesNow === null ? null : writesNow - writes,
      packets: sent.packets - counted.packets,
      dbCommands: sent.dbCommands - counted.dbCommands,
      others: machine === null || machineNow === null ? null : Math.max(0, ((machineNow - machine) / wall) * 100 - node - (dbShare ?? 0) - (clientShare ?? 0)),
    };
  };
}

type PhaseResult = ClientResult & {
  label: string;
  persisted?: number;
  /** Messages of every sender stored before the phase (the stand-in's cost per message grows with them). */
  storedBefore?: number;
  cpu: {
    node: number;
    loop: number;
    db: number | null;
    clients: number | null;
    others: number | null;
    writes: number | null;
    packets: number;
    dbCommands: number;
  };
};

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * The load generator: scripts/bench/chat-clients.ts in a child process of its own, so the server measured here
 * (app or relay) has this process's event loop to itself, and both servers are loaded by the same clients.
 */
class Clients {
  private child: ChildProcess;
  private nextId = 1;
  private waiting = new Map<number, { loaded?: (() => void) | undefined; done: (reply: Extract<Reply, { type: 'done' }>) => void }>();
  constructor() {
    // tsx's loader flags come along; a profiler flag given to the bench is for the server, not the clients.
    const execArgv = process.execArgv.filter((flag) => !/^--(cpu-prof|prof|heap-prof)/.test(flag));
    this.child = fork(fileURLToPath(new URL('./chat-clients.ts', import.meta.url)), [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (reply: Reply) => {
      const entry = this.waiting.get(reply.id);
      if (!entry) return;
      if (reply.type === 'loaded') entry.loaded?.();
      else {
        this.waiting.delete(reply.id);
        entry.done(reply);
      }
    });
    this.child.on('exit', (code) => {
      for (const entry of this.waiting.values()) entry.done({ id: 0, type: 'done', error: `the load generator exited (${code})` });
      this.waiting.clear();
    });
  }
  get pid(): number {
    return this.child.pid!;
  }
  /** Sends a command; `onLoaded` runs when the clients stop loading the server (before they wait for stragglers). */
  request(cmd: DistributiveOmit<Command, 'id'>, onLoaded?: () => void): Promise<ClientResult | undefined> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { loaded: onLoaded, done: (reply) => (reply.error ? reject(new Error(`load generator: ${reply.error}`)) : resolve(reply.result)) });
      this.child.send({ ...cmd, id } as Command);
    });
  }
  async close(): Promise<void> {
    if (this.child.exitCode !== null || !this.child.connected) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await this.request({ op: 'close' }).catch(() => undefined);
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
    if (this.child.exitCode === null) this.child.kill();
  }
}

let clients: Clients | undefined;

/** Bounded polling of a database condition (the router assigns after the acknowledgements in another process). */
async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition()) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}
let phaseCounter = 0;
/** Between phases: pushes the app sends after acknowledging (session updates) finish before the next phase measures. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 1500));
/** Set once the bench organisation exists: all its stored messages, of every sender. */
let countStored: () => Promise<number> = async () => 0;

/**
 * One phase, run by the load generator, with this side's CPU meters around it and the database's counts.
 * Without `rate` a closed loop: every customer sends its next message as soon as the previous one is acknowledged.
 * With `rate` an open loop: message k is due at start + k / rate and goes to customer k mod N, whatever the earlier
 * ones are doing; latency counts from when a message was due, so a generator that falls behind shows up in it.
 */
async function runPhase(rig: string, label: string, load: { seconds: number; rate?: number }, countPersisted?: () => Promise<number>): Promise<PhaseResult> {
  await settle();
  const before = countPersisted ? await countPersisted() : 0;
  const storedBefore = countPersisted ? await countStored() : undefined;
  const phase = ++phaseCounter;
  const meter = cpuMeter();
  let cpu: PhaseResult['cpu'] | undefined;
  const command =
    load.rate === undefined
      ? ({ op: 'closed', rig, phase, seconds: load.seconds } as const)
      : ({ op: 'open', rig, phase, rate: load.rate, seconds: load.seconds } as const);
  const result = (await clients!.request(command, () => (cpu = meter())))!;
  const persisted = countPersisted ? (await countPersisted()) - before : undefined;
  return { ...result, label, persisted, storedBefore, cpu: cpu ?? meter() };
}

/** What one acknowledged message cost the server in the phase (the relay answers without a database: 0 round trips). */
function perMessage(r: PhaseResult) {
  const n = Math.max(1, r.acked);
  return {
    // CPU time per message: unlike the loop's busy time, it does not grow when other processes take the cores.
    cpuMs: ((r.cpu.node / 100) * (r.seconds * 1000)) / n,
    // Event-loop time per message: what one message costs the server's thread (the clients run elsewhere).
    loopMs: ((r.cpu.loop / 100) * (r.seconds * 1000)) / n,
    writes: r.cpu.writes === null ? Number.NaN : r.cpu.writes / n,
    packets: r.cpu.packets / n,
    dbCommands: r.cpu.dbCommands / n,
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
const pct = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(0)}%`);
const times = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a');

function line(r: PhaseResult): string {
  const s = summarise(r);
  return (
    `  ${r.label.padEnd(34)} ${perS(s.rate).padStart(7)} acked` +
    (s.persistedRate === null ? '' : `, ${perS(s.persistedRate)} persisted`) +
    `  e2e p50 ${ms(s.e2eP50).padStart(9)} p99 ${ms(s.e2eP99).padStart(9)}  ack p50 ${ms(s.ackP50).padStart(9)} p99 ${ms(s.ackP99).padStart(9)}` +
    `  sent=${r.sent} acked=${r.acked} delivered=${r.delivered} errors=${r.errors} lost=${r.lost}` +
    `\n  ${''.padEnd(34)} server event loop busy ${r.cpu.loop.toFixed(0)}%, server CPU ${r.cpu.node.toFixed(0)}%, database CPU ${pct(r.cpu.db)}, clients CPU ${pct(r.cpu.clients)} (their loop ${r.clientLoop.toFixed(0)}% busy), other processes ${pct(r.cpu.others)} (100% = one core)` +
    (r.perSecond ? `; acked per second: ${r.perSecond.join(' ')}` : '') +
    `; per message: ${perMessage(r).cpuMs.toFixed(3)} ms server CPU, ${perMessage(r).packets.toFixed(2)} socket writes, ${perMessage(r).dbCommands.toFixed(2)} database round trips` +
    (r.storedBefore !== undefined ? `; ${r.storedBefore} messages stored before` : '') +
    (r.sendLagP99 !== undefined ? `; sender lag p99 ${ms(r.sendLagP99)}` : '') +
    (r.firstError ? `\n  ${''.padEnd(34)} first error: ${r.firstError}` : '')
  );
}

/** Which of the three processes limited the closed loop, from its CPU figures. */
function bottleneck(r: PhaseResult): string {
  const total = r.cpu.node + (r.cpu.db ?? 0) + (r.cpu.clients ?? 0);
  const split = `app ${r.cpu.node.toFixed(0)}% + database ${pct(r.cpu.db)} + clients ${pct(r.cpu.clients)} = ${total.toFixed(0)}% of ${os.cpus().length * 100}%${(r.cpu.others ?? 0) >= 20 ? `, and other processes took ${pct(r.cpu.others)}: the figures are lower than on a quiet machine` : ''}`;
  if (r.cpu.loop >= 95) return `the app's event loop was busy ${r.cpu.loop.toFixed(0)}% of the time: its own work per message limits it (${split})`;
  if ((r.cpu.db ?? 0) >= 90) return `the database used ${pct(r.cpu.db)} (100% = one core) for its share of each message: it limits (${split})`;
  if (r.clientLoop >= 95) return `the load generator's event loop was busy ${r.clientLoop.toFixed(0)}%: the clients limit, not the app (${split})`;
  if (total + (r.cpu.others ?? 0) >= os.cpus().length * 100 * 0.9) return `the machine's cores are nearly all in use (${split})`;
  return `no process saturated: waiting (round trips between app and database) limits (${split})`;
}

// ---- clients ---------------------------------------------------------------------------------------------------

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
async function startRelay(): Promise<Running & { io: IoServer }> {
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
      const message = {
        id: crypto.randomBytes(12).toString('hex'),
        sessionId,
        seq,
        clientId: payload.clientId,
        sender: 'customer',
        agentId: null,
        text: payload.text,
        image: null,
        internal: false,
        createdAt: new Date().toISOString(),
      };
      io.to(room).emit('chat:message', { sessionId, message });
      ack({ ok: true, data: { message } });
    });
  });
  const base = await listen(server);
  return {
    base,
    io,
    close: async () => {
      const closing = new Promise<void>((resolve) => io.close(() => resolve()));
      server.closeAllConnections();
      await closing;
    },
  };
}

// ---- run -------------------------------------------------------------------------------------------------------

let db: BenchDatabase | undefined;
const servers: Running[] = [];
const cleanup = benchCleanup(BENCH_DB, {
  db: () => db,
  before: async () => {
    await clients?.close();
    for (const s of servers) await s.close().catch(() => undefined);
    // The app marks agents offline on disconnect without awaiting it: let that finish before the database goes.
    await new Promise((resolve) => setTimeout(resolve, 1000));
  },
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
  const agents = await Staff.insertMany(
    Array.from({ length: M }, (_, i) => ({
      orgId,
      login: `bench-agent-${i + 1}`,
      passwordHash,
      realName: `客服${i + 1}`,
      roles: ['agent'],
      storeId: store._id,
      status: 'active',
    })),
  );
  const channel = await ChatChannel.create({
    orgId,
    key: crypto.randomBytes(12).toString('base64url'),
    name: 'Bench channel',
    storeId: store._id,
    routing: 'least_busy',
    welcomeMessage: '您好，欢迎咨询！',
    closingMessage: '感谢咨询',
    offlineMessage: '客服暂时不在',
  });

  countDbCommands();
  const app = await startApp();
  servers.push(app);
  countPackets(app.realtime.io);
  const step = (() => {
    let last = performance.now();
    return (what: string) => {
      const now = performance.now();
      note(`${what} (${((now - last) / 1000).toFixed(1)} s)`);
      last = now;
    };
  })();
  step(`database, organisation and app ready on ${app.base}`);
  clients = new Clients();
  const agentSpecs: ConnectSpec[] = [];
  for (const agent of agents) agentSpecs.push({ url: app.base, cookie: await signIn(app.base, agent.login) });
  const customerSpecs: ConnectSpec[] = [];
  for (let i = 0; i < N; i += 1) {
    const { token } = await startVisitor(channel.key, { name: `顾客${i + 1}`, phone: '' });
    customerSpecs.push({ url: `${app.base}/customer`, auth: { token } });
  }
  step(`${M} agents signed in over HTTP, ${N} visitors started`);
  await clients.request({
    op: 'connect',
    rig: 'app',
    agents: agentSpecs,
    customers: customerSpecs,
    agentHello: { event: 'chat:presence', payload: { status: 'online' } },
  });
  step(`load generator (pid ${clients.pid}) connected ${M} agents (online) and ${N} customers to /customer`);
  // The burst phase: every customer's first message at once opens a session that routing gives to an agent (least
  // busy first). Time to agent = from the burst's start to the session's assignment, per customer.
  const burstStart = new Date();
  await clients.request({ op: 'open-sessions', rig: 'app' });
  const burstAcked = performance.now();
  await waitFor(async () => (await ChatSession.countDocuments({ orgId, state: 'serving' })) === N, 10_000);
  const stranded = await ChatSession.countDocuments({ orgId, state: 'queued' });
  const serving = await ChatSession.countDocuments({ orgId, state: 'serving' });
  if (serving !== N) throw new Error(`${serving} of ${N} sessions are with an agent 10 s after the burst (${stranded} queued); expected all`);
  const toAgent = (await ChatSession.find({ orgId, state: 'serving' }, { assignedAt: 1 }).lean())
    .map((s) => new Date(s.assignedAt!).getTime() - burstStart.getTime())
    .sort((x, y) => x - y);
  const burst = {
    p50: percentile(toAgent, 50),
    p99: percentile(toAgent, 99),
    max: toAgent[toAgent.length - 1] ?? Number.NaN,
    ackedAfter: burstAcked + performance.timeOrigin - burstStart.getTime(),
  };
  step(`${N} sessions opened at once and routed to agents`);
  const countPersisted = () => ChatMessage.countDocuments({ orgId, sender: 'customer' });
  countStored = () => ChatMessage.countDocuments({ orgId });

  const relay = await startRelay();
  servers.push(relay);
  countPackets(relay.io);
  await clients.request({
    op: 'connect',
    rig: 'relay',
    agents: Array.from({ length: M }, (_, a) => ({ url: relay.base, auth: { agent: a } })),
    customers: Array.from({ length: N }, (_, i) => ({ url: `${relay.base}/customer`, auth: { agent: i % M } })),
  });
  note(`setup took ${((performance.now() - runStarted) / 1000).toFixed(1)} s; warming up...`);

  // Untimed warm-up of both, so neither pays for JIT compilation and first-use allocations.
  await runPhase('app', 'warm-up', { seconds: 1 }, countPersisted);
  await runPhase('relay', 'warm-up', { seconds: 1 });

  note(`(a) app, max throughput for ${SECONDS} s...`);
  const a = await runPhase('app', '(a) app, max (closed loop)', { seconds: SECONDS }, countPersisted);
  const aSum = summarise(a);
  // A fixed rate the app cannot keep only grows a queue: run below what it showed it sustains.
  // Its last two seconds, not its average: on a database whose cost grows with the stored messages, the start flatters.
  const tail = (a.perSecond ?? []).slice(-2);
  const lastRate = tail.length ? tail.reduce((x, y) => x + y, 0) / tail.length : aSum.rate;
  const sustainable = Math.floor(Math.min(aSum.persistedRate ?? aSum.rate, lastRate) * SAFE_FRACTION);
  const rateB = Math.max(1, Math.min(RATE, sustainable));
  note(`(b) app, fixed ${rateB}/s for ${SECONDS} s...`);
  const b = await runPhase('app', `(b) app, fixed ${rateB}/s (open loop)`, { rate: rateB, seconds: SECONDS }, countPersisted);
  note(`(c) relay, max throughput for ${SECONDS} s...`);
  const c = await runPhase('relay', '(c) relay, max (closed loop)', { seconds: SECONDS });
  note(`(c) relay, fixed ${rateB}/s for ${SECONDS} s...`);
  const cSame = await runPhase('relay', `(c) relay, fixed ${rateB}/s (open loop)`, { rate: rateB, seconds: SECONDS });
  const cTarget = rateB === RATE ? null : await runPhase('relay', `(c) relay, fixed ${RATE}/s (open loop)`, { rate: RATE, seconds: SECONDS });
  const bSum = summarise(b);
  const cSum = summarise(c);
  const cSameSum = summarise(cSame);

  const totalMessages = await countPersisted();
  const keptUp = (r: PhaseResult, rate: number) => r.acked / r.seconds >= 0.95 * rate && r.lost === 0;
  out();
  out('== Storelink live chat: customer -> agent messages ==');
  out(
    `engine             ${db.engine} (${db.kind})` +
      (db.kind === 'standin'
        ? ' (mongo-java-server: a Java stand-in that runs one command at a time, far slower than mongod; set MONGODB_URI for a real MongoDB)'
        : ''),
  );
  out(
    `machine            ${os.cpus().length} cores shared by three processes: this one runs the server measured (the app, later the relay), a child process the load generator (all client sockets), and the database's (with FerretDB: FerretDB and PostgreSQL's)`,
  );
  out(
    `clients            ${N} customers on /customer, ${M} agents on / (${perAgent} sessions each at most), all sessions serving; loopback, websocket transport`,
  );
  out(`org settings       customerMessageLimit 100 per 1 s (raised from 10 per 10 s so the limit does not shape the load), maxConcurrentSessions ${perAgent}`);
  out("measured           customer message:send -> the assigned agent's chat:message (e2e), and -> the customer's ack (ack)");
  out('not measured       agent -> customer: the reply window allows at most replyWindowMessages (5 by default, 20 at most) per customer message');
  out(
    `burst              ${N} customers write their first message at once with ${M} agents online: time to agent p50 ${ms(burst.p50)} p99 ${ms(burst.p99)} max ${ms(burst.max)}; all acknowledged after ${ms(burst.ackedAfter)}`,
  );
  out(
    `run                ${SECONDS} s per phase; the closed loop keeps one message in flight per customer; the open loop sends on a fixed schedule and counts latency from when a message was due`,
  );
  out(line(a));
  out(line(b));
  out(`  ${''.padEnd(34)} kept up with ${rateB}/s: ${keptUp(b, rateB) ? 'yes' : `no (${perS(bSum.rate)} acked over the run and its drain)`}`);
  out(line(c));
  out(line(cSame));
  if (cTarget) out(line(cTarget));
  out(`  customer messages stored in all phases: ${totalMessages} (ChatMessage documents, sender customer)`);
  out(`bottleneck         ${bottleneck(a)}`);
  if (db.kind === 'standin')
    out(
      "stand-in note      it builds only unique indexes and answers sorted queries (such as a session's latest seq) by scanning, so its share of each message grows with the messages stored; a real MongoDB (MONGODB_URI) uses the indexes",
    );
  out();
  out('ratios (app / bare relay)');
  out(`  max throughput    ${times(aSum.persistedRate ?? Number.NaN, cSum.rate)}  (${perS(aSum.persistedRate)} persisted vs ${perS(cSum.rate)} relayed)`);
  out(`  e2e p50 @${rateB}/s   ${times(bSum.e2eP50, cSameSum.e2eP50)}  (${ms(bSum.e2eP50)} vs ${ms(cSameSum.e2eP50)})`);
  out(`  e2e p99 @${rateB}/s   ${times(bSum.e2eP99, cSameSum.e2eP99)}  (${ms(bSum.e2eP99)} vs ${ms(cSameSum.e2eP99)})`);
  const [pa, pb, pc, pcSame] = [perMessage(a), perMessage(b), perMessage(c), perMessage(cSame)];
  out(
    `  CPU ms/message    ${times(pa.cpuMs, pc.cpuMs)}  (${pa.cpuMs.toFixed(2)} ms vs ${pc.cpuMs.toFixed(3)} ms of the server's CPU per message at full load; at ${rateB}/s ${times(pb.cpuMs, pcSame.cpuMs)}, ${pb.cpuMs.toFixed(2)} vs ${pcSame.cpuMs.toFixed(3)} ms; the database adds ${a.cpu.db === null ? 'n/a' : `${(((a.cpu.db / 100) * (a.seconds * 1000)) / Math.max(1, a.acked)).toFixed(2)} ms`})`,
  );
  out(
    `  socket writes     ${times(pb.packets, pcSame.packets)}  (${pb.packets.toFixed(2)} vs ${pcSame.packets.toFixed(2)} Socket.IO packets written per message at ${rateB}/s; ${pa.packets.toFixed(2)} vs ${pc.packets.toFixed(2)} at full load)`,
  );
  out(
    `  DB round trips    ${pb.dbCommands.toFixed(2)} per message at ${rateB}/s, ${pa.dbCommands.toFixed(2)} at full load (database commands; the relay has none)`,
  );
  out(
    `  writes/message    ${times(pa.writes, pc.writes)}  (${pa.writes.toFixed(2)} vs ${pc.writes.toFixed(2)} write system calls of the server per message at full load, ${pb.writes.toFixed(2)} at ${rateB}/s: socket frames and database commands)`,
  );
  out(
    `  loop ms/message   ${times(pa.loopMs, pc.loopMs)}  (${pa.loopMs.toFixed(2)} ms vs ${pc.loopMs.toFixed(3)} ms of the server's event loop per message at full load, clients excluded)`,
  );
  out();
  const check = (ok: boolean) => {
    if (!ok) exitCode = 1;
    return ok ? 'PASS' : 'FAIL';
  };
  const clean = (r: PhaseResult) => r.errors === 0 && r.lost === 0 && r.delivered === r.acked;
  out(`[${check(clean(a) && clean(b))}] app: every acknowledged message reached its agent, no errors`);
  out(
    `[${check(a.persisted === a.acked && b.persisted === b.acked)}] app: every acknowledged message is stored once (persisted ${a.persisted}/${b.persisted} = acked ${a.acked}/${b.acked})`,
  );
  out(
    `[${check((aSum.persistedRate ?? 0) >= TARGET_PERSISTED_PER_S)}] at least ${TARGET_PERSISTED_PER_S} persisted messages/s (measured ${perS(aSum.persistedRate)}, ${times(aSum.persistedRate ?? Number.NaN, TARGET_PERSISTED_PER_S)} of the target)`,
  );
  if (rateB === RATE) {
    out(`[${check(bSum.e2eP99 < TARGET_P99_MS)}] e2e p99 under ${TARGET_P99_MS} ms at ${TARGET_P99_RATE}/s (measured ${ms(bSum.e2eP99)} at ${RATE}/s)`);
  } else {
    check(false);
    out(
      `[FAIL] e2e p99 under ${TARGET_P99_MS} ms at ${TARGET_P99_RATE}/s: not measurable here, the app reached ${perS(lastRate)} at the end of (a), so the fixed-rate phase ran at ${rateB}/s (${SAFE_FRACTION * 100} % of that) instead of ${RATE}/s; e2e p99 there ${ms(bSum.e2eP99)}`,
    );
  }
  out(`total run time     ${((performance.now() - runStarted) / 1000).toFixed(1)} s; peak RSS (node) ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  // The figures the targets name, on one last line: p99 at the fixed rate, and per message the server's CPU and
  // socket writes against the relay's, and the database round trips; with the machine's load, which moves them all.
  out(
    `chat app/relay: p99 ${ms(bSum.e2eP99)} at ${rateB}/s (target ${TARGET_P99_MS} ms at ${TARGET_P99_RATE}/s), CPU ${times(pa.cpuMs, pc.cpuMs)} per message (target 2.00x), socket writes ${times(pb.packets, pcSame.packets)}, DB round trips ${pb.dbCommands.toFixed(2)} per message; load ${os.loadavg()[0]!.toFixed(1)}`,
  );
} catch (err) {
  process.stderr.write(`benchmark failed: ${(err as Error).stack ?? String(err)}\n`);
  exitCode = 1;
} finally {
  await cleanup();
}
process.exitCode = exitCode;
