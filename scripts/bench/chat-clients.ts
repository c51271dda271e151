// The load generator of scripts/bench/chat.ts, run as a child process of it (never on its own): the customer and
// agent sockets live here so their work does not share the event loop of the server being measured. A customer and
// the agent it writes to are in this same process, so end-to-end latency is one clock's difference.
// The parent drives it over the IPC channel: connect a rig, run a phase, close.
import { performance } from 'node:perf_hooks';
import { percentile } from './measure.js';
import { io as connectSocket, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';

export type ConnectSpec = { url: string; auth?: Record<string, unknown>; cookie?: string };

/** Requests from the parent; every one is answered by a Reply with the same id. */
export type Command =
  | { id: number; op: 'connect'; rig: string; agents: ConnectSpec[]; customers: ConnectSpec[]; agentHello?: { event: string; payload: unknown } }
  | { id: number; op: 'open-sessions'; rig: string }
  | { id: number; op: 'closed'; rig: string; phase: number; seconds: number }
  | { id: number; op: 'open'; rig: string; phase: number; rate: number; seconds: number }
  | { id: number; op: 'close' };

/** What a phase measured, raw: the parent sorts and summarises. */
export type ClientResult = {
  seconds: number;
  sent: number;
  acked: number;
  errors: number;
  firstError?: string;
  delivered: number;
  lost: number;
  e2e: number[];
  ack: number[];
  /** This process's event loop over the loaded part of the phase: near 100% means the clients, not the server, limit. */
  clientLoop: number;
  perSecond?: number[];
  sendLagP99?: number;
};

/** `loaded` comes when the load stops (the parent stops its CPU meters there), then the reply. */
export type Reply = { id: number; type: 'loaded' } | { id: number; type: 'done'; result?: ClientResult; error?: string };

type Ack = { ok: boolean; error?: { code: string; message: string } };
type Rig = { customers: Socket[]; agents: Socket[] };

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

/** The acknowledgements of a phase, counted the same way by both loops. */
class AckCounts {
  acked = 0;
  errors = 0;
  firstError: string | undefined;
  times: number[] = [];
  /** Counts one answer; a refused message is not expected at the agent. Answers whether it was acknowledged. */
  answered(clientId: string, ack: Ack, ms: number): boolean {
    if (ack.ok) {
      this.acked += 1;
      this.times.push(ms);
      return true;
    }
    this.errors += 1;
    this.firstError ??= `${ack.error?.code}: ${ack.error?.message}`;
    tracker.forget(clientId);
    return false;
  }
}

/** A phase's result, one shape for both loops: their counts, and what the agents received (after the drain). */
function resultOf(
  counts: AckCounts,
  phase: Pick<ClientResult, 'seconds' | 'sent' | 'clientLoop'> & Partial<Pick<ClientResult, 'perSecond' | 'sendLagP99'>>,
): ClientResult {
  return {
    ...phase,
    acked: counts.acked,
    errors: counts.errors,
    firstError: counts.firstError,
    delivered: tracker.delivered,
    lost: tracker.outstanding,
    e2e: tracker.e2e,
    ack: counts.times,
  };
}

let tracker = new Tracker();
const rigs = new Map<string, Rig>();
const allSockets: Socket[] = [];
const textOf = (k: number) => `测试消息 ${k}：请问这款还有货吗？`;
const socketOptions = (): Partial<ManagerOptions & SocketOptions> => ({ transports: ['websocket'], forceNew: true, reconnection: false });
/** What a client sends again (same clientId) rather than give up on: see docs/realtime.md, "Errors". */
const RETRYABLE_CODES = new Set(['timeout', 'database_unavailable']);
const OPENING_ATTEMPTS = 5;

function emitWithAck(socket: Socket, event: string, payload: unknown): Promise<Ack> {
  return new Promise((resolve) => socket.emit(event, payload, (ack: Ack) => resolve(ack)));
}

function connected(spec: ConnectSpec): Promise<Socket> {
  const socket = connectSocket(spec.url, {
    ...socketOptions(),
    ...(spec.auth ? { auth: spec.auth } : {}),
    ...(spec.cookie ? { extraHeaders: { cookie: spec.cookie } } : {}),
  });
  allSockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => reject(err));
  });
}

function rigOf(name: string): Rig {
  const rig = rigs.get(name);
  if (!rig) throw new Error(`no rig ${name}`);
  return rig;
}

const send = (reply: Reply) => process.send!(reply);

async function connectRig(cmd: Extract<Command, { op: 'connect' }>): Promise<void> {
  const agents: Socket[] = [];
  for (const spec of cmd.agents) {
    const socket = await connected(spec);
    socket.on('chat:message', (payload: { message?: { clientId?: string; sender?: string } }) => {
      if (payload.message?.sender === 'customer' && payload.message.clientId) tracker.seen(payload.message.clientId);
    });
    if (cmd.agentHello) {
      const ack = await emitWithAck(socket, cmd.agentHello.event, cmd.agentHello.payload);
      if (!ack.ok) throw new Error(`${cmd.agentHello.event} failed: ${ack.error?.code}`);
    }
    agents.push(socket);
  }
  const customers: Socket[] = [];
  for (const spec of cmd.customers) customers.push(await connected(spec));
  rigs.set(cmd.rig, { agents, customers });
}

/** Closed loop: every customer sends its next message as soon as the previous one is acknowledged. */
async function closedLoop(id: number, rig: Rig, phase: number, seconds: number): Promise<ClientResult> {
  tracker = new Tracker();
  const counts = new AckCounts();
  let sent = 0;
  const loop = performance.eventLoopUtilization();
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
        if (counts.answered(clientId, ack, lastAck - t0)) {
          const second = Math.floor((lastAck - started) / 1000);
          perSecond[second] = (perSecond[second] ?? 0) + 1;
        }
      }
    }),
  );
  const clientLoop = performance.eventLoopUtilization(loop).utilization * 100;
  send({ id, type: 'loaded' });
  const elapsed = (lastAck - started) / 1000;
  await tracker.drained(5000);
  return resultOf(counts, { seconds: elapsed, sent, clientLoop, perSecond: Array.from(perSecond, (n) => n ?? 0).slice(0, seconds) });
}

/**
 * Open loop at a fixed rate: message k is due at start + k / rate and goes to customer k mod N, whatever the earlier
 * ones are doing. Latency counts from when the message was due, so a generator that falls behind shows up in it.
 */
async function openLoop(id: number, rig: Rig, phase: number, rate: number, seconds: number): Promise<ClientResult> {
  tracker = new Tracker();
  const total = Math.round(rate * seconds);
  const counts = new AckCounts();
  const lags: number[] = [];
  const pending: Promise<void>[] = [];
  const loop = performance.eventLoopUtilization();
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
            counts.answered(clientId, ack, performance.now() - due);
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
  const clientLoop = performance.eventLoopUtilization(loop).utilization * 100;
  send({ id, type: 'loaded' });
  lags.sort((a, b) => a - b);
  return resultOf(counts, { seconds: elapsed, sent: k, clientLoop, sendLagP99: percentile(lags, 99) });
}

async function run(cmd: Command): Promise<ClientResult | undefined> {
  switch (cmd.op) {
    case 'connect':
      await connectRig(cmd);
      return undefined;
    case 'open-sessions': {
      // Every customer's first message opens a session that routing gives to an agent.
      // As docs/realtime.md tells a client: a `timeout` (the server's time limit, on a loaded machine) or an unreachable
      // database is sent again with the same clientId, which stores it once.
      const sendOpening = async (s: Socket, i: number) => {
        for (let attempt = 1; ; attempt += 1) {
          const ack = await emitWithAck(s, 'message:send', { clientId: `open-${i}`, text: '你好' });
          if (ack.ok || attempt >= OPENING_ATTEMPTS || !RETRYABLE_CODES.has(String(ack.error?.code))) return ack;
        }
      };
      const acks = await Promise.all(rigOf(cmd.rig).customers.map(sendOpening));
      const failed = acks.find((a) => !a.ok);
      if (failed) throw new Error(`opening message failed: ${failed.error?.code}`);
      return undefined;
    }
    case 'closed':
      return closedLoop(cmd.id, rigOf(cmd.rig), cmd.phase, cmd.seconds);
    case 'open':
      return openLoop(cmd.id, rigOf(cmd.rig), cmd.phase, cmd.rate, cmd.seconds);
    case 'close':
      for (const socket of allSockets) socket.close();
      return undefined;
  }
}

if (!process.send) {
  process.stderr.write('chat-clients.ts is started by scripts/bench/chat.ts\n');
  process.exit(2);
}
process.on('message', (cmd: Command) => {
  run(cmd).then(
    (result) => {
      send({ id: cmd.id, type: 'done', ...(result ? { result } : {}) });
      if (cmd.op === 'close') process.disconnect();
    },
    (err: Error) => send({ id: cmd.id, type: 'done', error: err.stack ?? String(err) }),
  );
});
// The parent going away (or an interrupted run) ends this process too.
process.on('disconnect', () => {
  for (const socket of allSockets) socket.close();
  process.exit(0);
});
