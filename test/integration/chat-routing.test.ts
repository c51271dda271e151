import { describe, expect, it, beforeAll } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import { useTestDatabase } from '../setup/db.js';
import { startTestServer } from '../setup/server.js';
import { createOrgWithTeam, createStaff, ctxFor } from '../factories.js';
import { connectAgent, connectCustomer, createChannel, nextEvent, ok } from '../setup/chat.js';
import { AgentPresence, ChatMessage, ChatSession } from '../../server/models/chat-session.js';
import { ChatConsole } from '../../server/models/chat-console.js';
import { liveOverview } from '../../server/services/chat/reports.js';
import { reconcileSlots } from '../../server/services/chat/slots.js';
import { chatSweepJob } from '../../jobs/chat-sweep.job.js';
import type { mongoose } from '../../server/db/connect.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
useTestDatabase({ beforeClose: async () => server?.close() });
beforeAll(async () => {
  // The acknowledgements of the burst (opening, routing, then the message itself) may take longer than the default
  // 10 s limit on a loaded 2-core CI machine; a late answer is not what this file checks (see STRANDED_AFTER_MS).
  server = await startTestServer({ env: { REQUEST_TIME_LIMIT_MS: '30000' } });
});

type Sess = { id: string; state: string; agentId?: string | null };

/** Bounded polling of a condition the test cannot await as an event (database state written by another socket). */
async function until(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Each agent's slots are exactly the sessions they serve (ids and count). */
async function expectSlotsEqualSessions(orgId: mongoose.Types.ObjectId): Promise<void> {
  const presences = await AgentPresence.find({ orgId }).lean();
  for (const presence of presences) {
    const serving = await ChatSession.find({ orgId, state: 'serving', agentId: presence.staffId }, { _id: 1 }).lean();
    expect({ agent: String(presence.staffId), count: presence.activeSessions, slots: presence.slots.map((s) => String(s.sessionId)).sort() }).toEqual({
      agent: String(presence.staffId),
      count: serving.length,
      slots: serving.map((s) => String(s._id)).sort(),
    });
  }
}

/** The server side of a client socket ends without its disconnect being handled: what a killed process leaves behind. */
function vanish(client: Socket): void {
  const serverSide = server.realtime.io.of('/').sockets.get(client.id!);
  serverSide?.removeAllListeners('disconnect');
  client.close();
}

/**
 * How long the burst takes is the benchmark's figure (`npm run bench:chat`: time to agent p50/p99 for a burst of
 * customers), not this test's: on a shared 2-core CI machine the same burst took 2.7 s to 10 s with the load beside it.
 * What this test holds is the promise itself: no customer is stranded in the queue while agents have room. The wait
 * below only bounds how long a stranded customer takes to show up as a failure.
 */
const STRANDED_AFTER_MS = 60_000;

describe('routing under bursts', () => {
  it('serves a burst of 200 new conversations with 50 online agents, in order and within the cap, every agent slot matching a served session', async () => {
    const { org } = await createOrgWithTeam();
    const channel = await createChannel(org._id, { routing: 'least_busy' });
    const staff = await Promise.all(Array.from({ length: 50 }, () => createStaff(org._id, { roles: ['agent'] })));
    // Connected a few at a time (the handshakes are not what is measured; 250 at once overrun the client's timeout here).
    const agents: Awaited<ReturnType<typeof connectAgent>>[] = [];
    for (let i = 0; i < staff.length; i += 10) agents.push(...(await Promise.all(staff.slice(i, i + 10).map((s) => connectAgent(server.baseUrl, s.login)))));
    const customers: Awaited<ReturnType<typeof connectCustomer>>[] = [];
    for (let i = 0; i < 200; i += 20)
      customers.push(...(await Promise.all(Array.from({ length: 20 }, (_, j) => connectCustomer(server.baseUrl, channel.key, { name: `顾客${i + j}` })))));
    try {
      await Promise.all(agents.map((a) => ok(a.socket, 'chat:presence', { status: 'online' })));
      const acks = Promise.all(customers.map((c, i) => ok<{ session: Sess }>(c.socket, 'message:send', { clientId: `b${i}`, text: '在吗？' })));
      await until(async () => (await ChatSession.countDocuments({ orgId: org._id, state: 'serving' })) === 200, STRANDED_AFTER_MS, 'all 200 served');
      await acks;
      expect(await ChatSession.countDocuments({ orgId: org._id, state: 'queued' })).toBe(0);
      const perAgent = await ChatSession.aggregate<{ n: number }>([
        { $match: { orgId: org._id, state: 'serving' } },
        { $group: { _id: '$agentId', n: { $sum: 1 } } },
      ]);
      expect(Math.max(...perAgent.map((a) => a.n))).toBeLessThanOrEqual(5);
      await expectSlotsEqualSessions(org._id);
      // The reconciliation finds nothing to repair.
      expect(await reconcileSlots(org._id)).toBe(0);
    } finally {
      for (const a of agents) a.socket.close();
      for (const c of customers) c.socket.close();
    }
  }, 120_000);

  it('routes a queued customer as soon as a slot frees, and the sweep repairs a slot left without a session', async () => {
    const { org, agent } = await createOrgWithTeam();
    const channel = await createChannel(org._id, { routing: 'least_busy' });
    const a = await connectAgent(server.baseUrl, agent.login);
    const customers = await Promise.all(Array.from({ length: 7 }, (_, i) => connectCustomer(server.baseUrl, channel.key, { name: `客户${i}` })));
    try {
      await ok(a.socket, 'chat:presence', { status: 'online' });
      const sent = await Promise.all(customers.map((c, i) => ok<{ session: Sess }>(c.socket, 'message:send', { clientId: `q${i}`, text: '你好' })));
      expect(await ChatSession.countDocuments({ orgId: org._id, state: 'serving' })).toBe(5);
      const waiting = sent.map((s) => s.session).filter((s) => s.state === 'queued');
      expect(waiting).toHaveLength(2);
      const servedOne = sent.find((s) => s.session.state === 'serving')!.session;
      // Oldest first: the customer queued longest gets the freed slot.
      const oldest = (await ChatSession.findOne({ orgId: org._id, state: 'queued' }).sort({ queuedAt: 1, _id: 1 }).lean())!;
      const waiter = customers.find((c) => c.visitorId === String(oldest.visitorId))!;
      const routed = nextEvent<Sess>(waiter.socket, 'session', (s) => s.state === 'serving', 1_000);
      await ok(a.socket, 'chat:close', { sessionId: servedOne.id });
      await routed;
      // A slot that names no served session (what a lost write could leave) is removed by the sweep.
      await AgentPresence.updateOne(
        { orgId: org._id, staffId: agent._id },
        { $push: { slots: { sessionId: servedOne.id, at: new Date(Date.now() - 60_000) } }, $inc: { activeSessions: 1, slotsVersion: 1 } },
      );
      await chatSweepJob.run({}, undefined as never);
      await expectSlotsEqualSessions(org._id);
    } finally {
      a.socket.close();
      for (const c of customers) c.socket.close();
    }
  }, 60_000);
});

/** An organisation with one agent online on a console and one customer on the chat page. */
async function agentOnlineWithCustomer() {
  const team = await createOrgWithTeam();
  const channel = await createChannel(team.org._id, { routing: 'least_busy' });
  const a = await connectAgent(server.baseUrl, team.agent.login);
  const customer = await connectCustomer(server.baseUrl, channel.key);
  await ok(a.socket, 'chat:presence', { status: 'online' });
  return { ...team, a, customer };
}

describe('presence', () => {
  it('shows no ghost after quick reconnects: the last console closing takes the agent out of routing everywhere at once, shown away', async () => {
    const { org, agent, admin, a, customer } = await agentOnlineWithCustomer();
    try {
      for (let i = 0; i < 8; i += 1) {
        const back = new Promise<void>((resolve) => a.socket.once('connect', () => resolve()));
        server.realtime.io.of('/').sockets.get(a.socket.id!)?.conn.close();
        await back;
      }
      await until(async () => (await ok<{ agentsOnline: boolean }>(customer.socket, 'state')).agentsOnline, 2_000, 'the reconnected console counted');
      a.socket.close();
      await until(async () => (await ChatConsole.countDocuments({ orgId: org._id })) === 0, 2_000, 'every console removed');
      expect((await ok<{ agentsOnline: boolean }>(customer.socket, 'state')).agentsOnline).toBe(false);
      expect((await liveOverview(ctxFor(admin))).online).toBe(0);
      expect((await liveOverview(ctxFor(admin))).agents.find((x) => x.agentId === String(agent._id))?.status).toBe('away');
      // The chosen status is kept (it comes back with the next console), and nobody is routed to a closed console.
      expect((await AgentPresence.findOne({ orgId: org._id, staffId: agent._id }).lean())?.status).toBe('online');
      const { session } = await ok<{ session: Sess }>(customer.socket, 'message:send', { clientId: 'g1', text: '有人吗' });
      expect(session.state).toBe('queued');
      // The out-of-hours notice is not suppressed.
      expect(await ChatMessage.countDocuments({ orgId: org._id, sessionId: session.id, sender: 'bot', clientId: 'offline' })).toBe(1);
    } finally {
      a.socket.close();
      customer.socket.close();
    }
  });

  it('lets a console whose process died expire, and routes the queue to the agent when a console comes back, without setting presence again', async () => {
    const { org, agent, admin, a, customer } = await agentOnlineWithCustomer();
    try {
      vanish(a.socket);
      expect(await ChatConsole.countDocuments({ orgId: org._id, staffId: agent._id })).toBe(1);
      // The heartbeats stopped with the process: the console's expiry passes.
      await ChatConsole.updateMany({ orgId: org._id, staffId: agent._id }, { $set: { expiresAt: new Date(Date.now() - 1) } });
      // Shown away, not online (nobody would answer) nor offline (not what the agent chose).
      expect((await liveOverview(ctxFor(admin))).agents.find((x) => x.agentId === String(agent._id))?.status).toBe('away');
      expect((await ok<{ agentsOnline: boolean }>(customer.socket, 'state')).agentsOnline).toBe(false);
      const { session } = await ok<{ session: Sess }>(customer.socket, 'message:send', { clientId: 'd1', text: '你好' });
      expect(session.state).toBe('queued');

      const served = nextEvent<Sess>(customer.socket, 'session', (s) => s.state === 'serving', 10_000).then(() => Date.now());
      const back = await connectAgent(server.baseUrl, agent.login);
      const connectedAt = Date.now();
      // Within a second of the console connecting (signing in over HTTP before it is not the router's time).
      expect((await served) - connectedAt).toBeLessThan(1_000);
      expect(String((await ChatSession.findOne({ orgId: org._id, _id: session.id }).lean())?.agentId)).toBe(String(agent._id));
      back.socket.close();
    } finally {
      customer.socket.close();
    }
  });

  it('takes a stopped server’s consoles out of presence at once', async () => {
    const { org, agent } = await createOrgWithTeam();
    const channel = await createChannel(org._id, { routing: 'least_busy' });
    const other = await startTestServer();
    const a = await connectAgent(other.baseUrl, agent.login);
    const customer = await connectCustomer(server.baseUrl, channel.key);
    try {
      await ok(a.socket, 'chat:presence', { status: 'online' });
      expect((await ok<{ agentsOnline: boolean }>(customer.socket, 'state')).agentsOnline).toBe(true);
      a.socket.io.opts.reconnection = false;
      await other.close();
      expect(await ChatConsole.countDocuments({ orgId: org._id })).toBe(0);
      expect((await ok<{ agentsOnline: boolean }>(customer.socket, 'state')).agentsOnline).toBe(false);
    } finally {
      a.socket.close();
      customer.socket.close();
    }
  });

  it('returns the sessions of an agent whose consoles are all gone to the queue, to an agent who is there', async () => {
    const { org, agent } = await createOrgWithTeam();
    const colleague = await createStaff(org._id, { roles: ['agent'] });
    const channel = await createChannel(org._id, { routing: 'least_busy' });
    const a = await connectAgent(server.baseUrl, agent.login);
    const customer = await connectCustomer(server.baseUrl, channel.key);
    let b: Awaited<ReturnType<typeof connectAgent>> | undefined;
    try {
      await ok(a.socket, 'chat:presence', { status: 'online' });
      const { session } = await ok<{ session: Sess }>(customer.socket, 'message:send', { clientId: 'l1', text: '你好' });
      expect(session.state).toBe('serving');
      b = await connectAgent(server.baseUrl, colleague.login);
      await ok(b.socket, 'chat:presence', { status: 'online' });
      a.socket.close();
      await until(async () => (await ChatConsole.countDocuments({ orgId: org._id, staffId: agent._id })) === 0, 2_000, 'the console removed');
      // A reload is given time: right after the close the session stays.
      await chatSweepJob.run({}, undefined as never);
      expect((await ChatSession.findOne({ orgId: org._id, _id: session.id }).lean())?.state).toBe('serving');
      // Past the grace (the agent was last heard of 31 s ago), the sweep gives it to the colleague.
      await AgentPresence.updateOne({ orgId: org._id, staffId: agent._id }, { $set: { seenAt: new Date(Date.now() - 31_000) } });
      const moved = nextEvent<Sess>(customer.socket, 'session', (s) => s.state === 'serving', 2_000);
      await chatSweepJob.run({}, undefined as never);
      await moved;
      expect(String((await ChatSession.findOne({ orgId: org._id, _id: session.id }).lean())?.agentId)).toBe(String(colleague._id));
      await expectSlotsEqualSessions(org._id);
    } finally {
      a.socket.close();
      b?.socket.close();
      customer.socket.close();
    }
  });
});
