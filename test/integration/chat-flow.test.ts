import { describe, expect, it, beforeAll } from '@jest/globals';
import { io as connectSocket } from 'socket.io-client';
import { useTestDatabase } from '../setup/db.js';
import { startTestServer } from '../setup/server.js';
import { createOrgWithTeam, createStaff, createCustomer, createTag, createTagGroup } from '../factories.js';
import { connectAgent, connectCustomer, createChannel, nextEvent, ok, request } from '../setup/chat.js';
import { ChatMessage, ChatSession } from '../../server/models/chat-session.js';
import { TimelineEvent } from '../../server/models/timeline-event.js';
import { Customer } from '../../server/models/customer.js';
import { ChatChannel } from '../../server/models/chat-channel.js';
import { Organization } from '../../server/models/organization.js';
import { mongoose } from '../../server/db/connect.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
useTestDatabase({ beforeClose: async () => server?.close() });
beforeAll(async () => {
  server = await startTestServer();
});

type Msg = { seq: number; text: string; sender: string; clientId: string; internal: boolean };
type Sess = { id: string; state: string; agentId: string | null; queuePosition: number | null; rated?: boolean };

describe('live chat, end to end over Socket.IO', () => {
  it('queues, assigns, exchanges messages both ways, transfers, closes, rates and reopens', async () => {
    const { org, agent: firstAgent } = await createOrgWithTeam();
    const secondAgent = await createStaff(org._id, { roles: ['agent'] });
    const customerRecord = await createCustomer(org._id, { name: '王芳' });
    const channel = await createChannel(org._id, { routing: 'manual' });
    const a1 = await connectAgent(server.baseUrl, firstAgent.login);
    const a2 = await connectAgent(server.baseUrl, secondAgent.login);
    const customer = await connectCustomer(server.baseUrl, channel.key, { name: '王女士', phone: customerRecord.phone });
    try {
      await ok(a1.socket, 'chat:presence', { status: 'online' });
      await ok(a2.socket, 'chat:presence', { status: 'online' });

      const queuedPush = nextEvent<Sess>(a1.socket, 'chat:session', (s) => s.state === 'queued');
      const first = await ok<{ message: Msg; session: Sess }>(customer.socket, 'message:send', { clientId: 'c1', text: '请问有戒指刻字服务吗？' });
      expect(first.message).toMatchObject({ seq: 2, sender: 'customer', text: '请问有戒指刻字服务吗？' });
      expect(first.session).toMatchObject({ state: 'queued', queuePosition: 1 });
      const queued = await queuedPush;

      // The same client id again: acknowledged with the stored message, stored once.
      const again = await ok<{ message: Msg }>(customer.socket, 'message:send', { clientId: 'c1', text: '请问有戒指刻字服务吗？' });
      expect(again.message.seq).toBe(2);
      expect(await ChatMessage.countDocuments({ orgId: org._id, sessionId: queued.id, sender: 'customer' })).toBe(1);

      const accepted = await ok<{ session: Sess }>(a1.socket, 'chat:accept', { sessionId: queued.id });
      expect(accepted.session).toMatchObject({ state: 'serving', agentId: String(firstAgent._id) });
      expect((await request(a2.socket, 'chat:accept', { sessionId: queued.id })).ok).toBe(false);

      const opened = await ok<{ messages: Msg[]; customer: { name: string } | null; replyWindow: { open: boolean; remaining: number } }>(
        a1.socket,
        'chat:open',
        { sessionId: queued.id },
      );
      expect(opened.messages.map((m) => m.sender)).toEqual(['bot', 'customer']);
      expect(opened.customer?.name).toBe('王芳');
      expect(opened.replyWindow).toMatchObject({ open: true, remaining: 5 });

      const toCustomer = nextEvent<Msg>(customer.socket, 'message', (m) => m.sender === 'agent');
      await ok(a1.socket, 'chat:send', { sessionId: queued.id, clientId: 'a1', text: '有的，可以刻字。' });
      expect((await toCustomer).text).toBe('有的，可以刻字。');

      // An internal note stays with the agents.
      let noteReachedCustomer = false;
      customer.socket.on('message', (m: Msg) => {
        if (m.internal || m.text === '客户想要玫瑰金') noteReachedCustomer = true;
      });
      await ok(a1.socket, 'chat:send', { sessionId: queued.id, clientId: 'n1', text: '客户想要玫瑰金', internal: true });

      const toAgent = nextEvent<{ message: Msg }>(a1.socket, 'chat:message', (p) => p.message.sender === 'customer');
      await ok(customer.socket, 'message:send', { clientId: 'c2', text: '好的，谢谢' });
      expect((await toAgent).message.text).toBe('好的，谢谢');

      const transferred = await ok<{ session: Sess }>(a1.socket, 'chat:transfer', {
        sessionId: queued.id,
        toAgentId: String(secondAgent._id),
        note: '请跟进刻字',
      });
      expect(transferred.session.agentId).toBe(String(secondAgent._id));
      expect((await request(a1.socket, 'chat:send', { sessionId: queued.id, clientId: 'a2', text: '还在吗' })).ok).toBe(false);
      await ok(a2.socket, 'chat:send', { sessionId: queued.id, clientId: 'b1', text: '我来接待您。' });

      const closedPush = nextEvent<Sess>(customer.socket, 'session', (s) => s.state === 'closed');
      await ok(a2.socket, 'chat:close', { sessionId: queued.id, disposition: 'resolved' });
      await closedPush;
      const rated = await ok<{ session: Sess }>(customer.socket, 'rate', { sessionId: queued.id, score: 5, comment: '很专业' });
      expect(rated.session.rated).toBe(true);
      const twice = await request(customer.socket, 'rate', { sessionId: queued.id, score: 1 });
      expect(twice.ok ? null : twice.error.code).toBe('already_rated');

      // Writing again starts a new session linked to the old one.
      const reopened = await ok<{ session: Sess; message: Msg }>(customer.socket, 'message:send', { clientId: 'c3', text: '我还想问一下' });
      expect(reopened.session.id).not.toBe(queued.id);
      const stored = await ChatSession.findOne({ orgId: org._id, _id: reopened.session.id }).lean();
      expect(String(stored?.previousSessionId)).toBe(queued.id);

      const history = await ok<{ sessions: { session: Sess; messages: Msg[] }[] }>(customer.socket, 'history', {});
      expect(history.sessions).toHaveLength(2);
      expect(history.sessions[1]!.messages.some((m) => m.internal)).toBe(false);
      expect(noteReachedCustomer).toBe(false);

      // Every transition of the linked customer's sessions is in their timeline.
      const states = (await TimelineEvent.find({ orgId: org._id, customerId: customerRecord._id, type: 'chat.state' }).sort({ at: 1 }).lean()).map(
        (e) => (e.data as { state: string }).state,
      );
      expect(states).toEqual(expect.arrayContaining(['new', 'queued', 'serving', 'closed']));
    } finally {
      a1.socket.close();
      a2.socket.close();
      customer.socket.close();
    }
  });

  it('routes to the least busy online agent and never beyond the concurrent-session cap', async () => {
    const { org } = await createOrgWithTeam();
    const agents = await Promise.all([createStaff(org._id, { roles: ['agent'] }), createStaff(org._id, { roles: ['agent'] })]);
    const channel = await createChannel(org._id, { routing: 'least_busy' });
    const sockets = await Promise.all(agents.map((a) => connectAgent(server.baseUrl, a.login)));
    const customers = await Promise.all(Array.from({ length: 12 }, (_, i) => connectCustomer(server.baseUrl, channel.key, { name: `客户${i}` })));
    try {
      for (const s of sockets) await ok(s.socket, 'chat:presence', { status: 'online' });
      await Promise.all(customers.map((c, i) => ok(c.socket, 'message:send', { clientId: `m${i}`, text: '你好' })));
      const serving = await ChatSession.find({ orgId: org._id, state: 'serving' }).lean();
      const perAgent = new Map<string, number>();
      for (const s of serving) perAgent.set(String(s.agentId), (perAgent.get(String(s.agentId)) ?? 0) + 1);
      expect(serving).toHaveLength(10);
      expect([...perAgent.values()]).toEqual([5, 5]);
      expect(await ChatSession.countDocuments({ orgId: org._id, state: 'queued' })).toBe(2);
      // Closing one frees a slot and the oldest queued session takes it.
      await ok(sockets[0]!.socket, 'chat:close', { sessionId: String(serving.find((s) => String(s.agentId) === String(agents[0]!._id))!._id) });
      expect(await ChatSession.countDocuments({ orgId: org._id, state: 'queued' })).toBe(1);
    } finally {
      for (const s of sockets) s.socket.close();
      for (const c of customers) c.socket.close();
    }
  });

  it('moves a message that meets a session closed elsewhere to a new session, keeping numbers gap-free, and acknowledges repeats even past the rate limit', async () => {
    const { org, agent } = await createOrgWithTeam();
    const channel = await createChannel(org._id, { routing: 'least_busy' });
    const a = await connectAgent(server.baseUrl, agent.login);
    const customer = await connectCustomer(server.baseUrl, channel.key);
    try {
      await ok(a.socket, 'chat:presence', { status: 'online' });
      const first = await ok<{ session: Sess; message: Msg }>(customer.socket, 'message:send', { clientId: 'k0', text: '第一条' });
      await ok(customer.socket, 'message:send', { clientId: 'k1', text: '第二条' });
      // Another process closes it: this one hears nothing and still remembers the session as open.
      await ChatSession.updateOne({ _id: first.session.id, orgId: org._id }, { $set: { state: 'closed', closedAt: new Date() } });
      const moved = await ok<{ session: Sess; message: Msg }>(customer.socket, 'message:send', { clientId: 'k2', text: '第三条' });
      expect(moved.session.id).not.toBe(first.session.id);
      const old = await ChatMessage.find({ orgId: org._id, sessionId: first.session.id }).sort({ seq: 1 }).lean();
      expect(old.map((m) => m.seq)).toEqual(old.map((_, i) => i + 1));
      expect(old.some((m) => m.clientId === 'k2')).toBe(false);
      const oldSession = await ChatSession.findOne({ orgId: org._id, _id: first.session.id }).lean();
      expect(oldSession?.seq).toBe(old.length);

      // A repeat is the stored message again, in its own session, whichever session is open now.
      const again = await ok<{ session: Sess; message: Msg }>(customer.socket, 'message:send', { clientId: 'k0', text: '第一条' });
      expect(again.message.seq).toBe(first.message.seq);
      expect(again.session.id).toBe(first.session.id);
      // 10 per 10 s by default: k0-k2 (the repeat is free) and 7 more, then new ones are refused but repeats are not.
      for (let i = 3; i < 10; i += 1) await ok(customer.socket, 'message:send', { clientId: `k${i}`, text: `${i}` });
      const limited = await request(customer.socket, 'message:send', { clientId: 'k10', text: '太快了' });
      expect(limited.ok ? null : limited.error.code).toBe('rate_limited');
      const repeated = await ok<{ message: Msg }>(customer.socket, 'message:send', { clientId: 'k9', text: '9' });
      expect(repeated.message.text).toBe('9');
      expect(await ChatMessage.countDocuments({ orgId: org._id, sender: 'customer', clientId: 'k9' })).toBe(1);
    } finally {
      a.socket.close();
      customer.socket.close();
    }
  });

  it('counts a message its session missed (the session update failed after the insert) when the customer sends it again', async () => {
    const { org, agent } = await createOrgWithTeam();
    const channel = await createChannel(org._id, { routing: 'least_busy' });
    const a = await connectAgent(server.baseUrl, agent.login);
    const customer = await connectCustomer(server.baseUrl, channel.key);
    try {
      await ok(a.socket, 'chat:presence', { status: 'online' });
      const first = await ok<{ session: Sess; message: Msg }>(customer.socket, 'message:send', { clientId: 'h0', text: '在吗' });
      const before = (await ChatSession.findOne({ orgId: org._id, _id: first.session.id }).lean())!;
      // The state a failed session update leaves: the message stored under the next number, the session unaware.
      await ChatMessage.collection.insertOne({
        _id: new mongoose.Types.ObjectId(),
        orgId: org._id,
        sessionId: before._id,
        visitorId: before.visitorId,
        seq: before.seq + 1,
        visibleSeq: before.visibleSeq + 1,
        clientId: 'h1',
        dedupeKey: `customer:${customer.visitorId}:h1`,
        sender: 'customer',
        agentId: null,
        text: '还在吗',
        image: null,
        internal: false,
        createdAt: new Date(),
      });
      await ChatSession.updateOne({ orgId: org._id, _id: before._id }, { $set: { lastCustomerMessageAt: null, agentMessagesSinceCustomer: 5 } });
      const pushed = nextEvent<{ message: Msg }>(a.socket, 'chat:message', (e) => e.message.clientId === 'h1');
      const again = await ok<{ session: Sess; message: Msg }>(customer.socket, 'message:send', { clientId: 'h1', text: '还在吗' });
      expect(again.message.seq).toBe(before.seq + 1);
      await pushed;
      const after = (await ChatSession.findOne({ orgId: org._id, _id: before._id }).lean())!;
      expect(after.seq).toBe(before.seq + 1);
      expect(after.lastCustomerMessageAt).toBeInstanceOf(Date);
      expect(after.agentMessagesSinceCustomer).toBe(0);
      expect(await ChatMessage.countDocuments({ orgId: org._id, dedupeKey: `customer:${customer.visitorId}:h1` })).toBe(1);
    } finally {
      a.socket.close();
      customer.socket.close();
    }
  });

  it('stores messages written together (grouped in one write) once each, numbered without gaps, repeats included', async () => {
    const { org, agent } = await createOrgWithTeam();
    await Organization.updateOne(
      { _id: org._id },
      { $set: { 'settings.customerMessageLimit': 100, 'settings.customerMessageWindowSeconds': 1, 'settings.maxConcurrentSessions': 20 } },
    );
    const channel = await createChannel(org._id, { routing: 'least_busy' });
    const a = await connectAgent(server.baseUrl, agent.login);
    const customers = await Promise.all(Array.from({ length: 12 }, () => connectCustomer(server.baseUrl, channel.key)));
    try {
      await ok(a.socket, 'chat:presence', { status: 'online' });
      await Promise.all(customers.map((c) => ok(c.socket, 'message:send', { clientId: 'first', text: '你好' })));
      // Every customer sends 5 at once, each twice: the copies race their originals into the same groups.
      const acks = await Promise.all(
        customers.flatMap((c) =>
          Array.from({ length: 10 }, (_, i) => ok<{ message: Msg; session: Sess }>(c.socket, 'message:send', { clientId: `m${i % 5}`, text: `消息${i % 5}` })),
        ),
      );
      const byClient = new Map<string, number>();
      for (const [i, ack] of acks.entries()) {
        const key = `${Math.floor(i / 10)}:${ack.message.clientId}`;
        if (byClient.has(key)) expect(ack.message.seq).toBe(byClient.get(key));
        else byClient.set(key, ack.message.seq);
      }
      for (const c of customers) {
        const stored = await ChatMessage.find({ orgId: org._id, visitorId: c.visitorId }).sort({ seq: 1 }).lean();
        expect(stored.map((m) => m.seq)).toEqual(stored.map((_, i) => i + 1));
        expect(
          stored
            .filter((m) => m.sender === 'customer')
            .map((m) => m.clientId)
            .sort(),
        ).toEqual(['first', 'm0', 'm1', 'm2', 'm3', 'm4']);
        const session = await ChatSession.findOne({ orgId: org._id, visitorId: c.visitorId }).lean();
        expect(session?.seq).toBe(stored.length);
      }
    } finally {
      a.socket.close();
      for (const c of customers) c.socket.close();
    }
  });

  it('enforces the reply window and the customer rate limit, and refuses bad tokens', async () => {
    const { org, agent } = await createOrgWithTeam();
    const channel = await createChannel(org._id, { routing: 'least_busy' });
    const a = await connectAgent(server.baseUrl, agent.login);
    const customer = await connectCustomer(server.baseUrl, channel.key);
    try {
      await ok(a.socket, 'chat:presence', { status: 'online' });
      const { session } = await ok<{ session: Sess }>(customer.socket, 'message:send', { clientId: 'x0', text: '在吗' });
      for (let i = 0; i < 5; i += 1) await ok(a.socket, 'chat:send', { sessionId: session.id, clientId: `r${i}`, text: `回复${i}` });
      const sixth = await request(a.socket, 'chat:send', { sessionId: session.id, clientId: 'r5', text: '第六条' });
      expect(sixth.ok ? null : sixth.error.code).toBe('reply_limit_reached');
      await ok(customer.socket, 'message:send', { clientId: 'x1', text: '还有问题' });
      await ok(a.socket, 'chat:send', { sessionId: session.id, clientId: 'r5', text: '第六条' });

      // 10 per 10 s by default: x0 and x1 are spent, 8 more pass, the next is refused with a notice.
      for (let i = 2; i < 10; i += 1) await ok(customer.socket, 'message:send', { clientId: `x${i}`, text: `${i}` });
      const limited = await request(customer.socket, 'message:send', { clientId: 'x10', text: '太快了' });
      expect(limited.ok ? null : limited.error.code).toBe('rate_limited');
      expect(limited.ok ? '' : limited.error.localizedMessage).toMatch(/\S/);

      const bad = connectSocket(`${server.baseUrl}/customer`, { auth: { token: 'forged.0.9999999999999.abc' }, transports: ['websocket'], forceNew: true });
      const refused = await new Promise<Error & { data?: { code: string } }>((resolve) => bad.once('connect_error', resolve));
      expect(refused.message).toBe('invalid_token');
      expect(refused.data?.code).toBe('invalid_token');
      bad.close();
    } finally {
      a.socket.close();
      customer.socket.close();
    }
  });

  it('lets the serving agent create the customer from the visitor and tag them from the sidebar', async () => {
    const { org, agent, admin } = await createOrgWithTeam();
    const group = await createTagGroup(org._id, { name: '年龄', color: '#198754', order: 0 });
    const tag = await createTag(org._id, { groupId: group._id, name: '20-30' });
    const channel = await createChannel(org._id, { routing: 'least_busy' });
    const a = await connectAgent(server.baseUrl, agent.login);
    const customer = await connectCustomer(server.baseUrl, channel.key, { name: '赵女士', phone: '13912345678' });
    try {
      await ok(a.socket, 'chat:presence', { status: 'online' });
      const { session } = await ok<{ session: Sess }>(customer.socket, 'message:send', { clientId: 'z1', text: '你好' });
      const noCustomer = await request(a.socket, 'chat:customer-tags', { sessionId: session.id, add: [String(tag._id)] });
      expect(noCustomer.ok ? null : noCustomer.error.code).toBe('no_customer');
      const linked = await ok<{ session: { customerId: string } }>(a.socket, 'chat:link-customer', { sessionId: session.id, customerId: null });
      const created = await Customer.findOne({ orgId: org._id, _id: linked.session.customerId }).lean();
      expect(created).toMatchObject({ name: '赵女士', phone: '+8613912345678', source: 'online' });
      // The agent created them as themself (not as the system): the record and its timeline name the agent.
      expect(String(created!.createdBy)).toBe(String(agent._id));
      const tagged = await ok<{ tags: { name: string }[]; timeline: { type: string; label: string }[] }>(a.socket, 'chat:customer-tags', {
        sessionId: session.id,
        add: [String(tag._id)],
      });
      expect(tagged.tags.map((t) => t.name)).toEqual(['20-30']);
      expect(tagged.timeline[0]).toMatchObject({ type: 'customer.tagged' });
      const opened = await ok<{ customer: { tags: { name: string }[]; canOpen: boolean; tagChoices: { id: string }[] } }>(a.socket, 'chat:open', {
        sessionId: session.id,
      });
      expect(opened.customer).toMatchObject({ tags: [{ name: '20-30' }], canOpen: false });
      expect(opened.customer.tagChoices.map((c) => c.id)).toContain(String(tag._id));
      // The agent's own personal tag, offered in the sidebar, is accepted too; the timeline names the agent.
      const personal = await createTag(org._id, { groupId: null, ownerId: agent._id, name: '爱吃榴莲' });
      const reopened = await ok<{ customer: { tagChoices: { id: string }[] } }>(a.socket, 'chat:open', { sessionId: session.id });
      expect(reopened.customer.tagChoices.map((c) => c.id)).toContain(String(personal._id));
      const mine = await ok<{ tags: { name: string }[] }>(a.socket, 'chat:customer-tags', { sessionId: session.id, add: [String(personal._id)] });
      expect(mine.tags.map((t) => t.name).sort()).toEqual(['20-30', '爱吃榴莲'].sort());
      const tagging = await TimelineEvent.find({ orgId: org._id, customerId: created!._id, type: 'customer.tagged' }).lean();
      expect(tagging.map((e) => String(e.actorId))).toEqual([String(agent._id), String(agent._id)]);
      // A colleague's personal tag is not the agent's to use.
      const theirs = await createTag(org._id, { groupId: null, ownerId: admin._id, name: '管理员的标签' });
      const refused = await request(a.socket, 'chat:customer-tags', { sessionId: session.id, add: [String(theirs._id)] });
      expect(refused.ok ? null : refused.error.code).toBe('invalid_input');
      // Another organisation's tag is refused.
      const foreign = await createOrgWithTeam();
      const foreignGroup = await createTagGroup(foreign.org._id, { name: 'x', color: '#198754', order: 0 });
      const foreignTag = await createTag(foreign.org._id, { groupId: foreignGroup._id, name: 'y' });
      expect((await request(a.socket, 'chat:customer-tags', { sessionId: session.id, add: [String(foreignTag._id)] })).ok).toBe(false);
      expect(admin).toBeDefined();
    } finally {
      a.socket.close();
      customer.socket.close();
    }
  });

  it('offers a customer to the agent skilled in one of their tags first, even when busier', async () => {
    const { org, store } = await createOrgWithTeam();
    const group = await createTagGroup(org._id, { name: '需求', color: '#198754', order: 0 });
    const custom = await createTag(org._id, { groupId: group._id, name: '定制' });
    const [generalist, specialist] = await Promise.all([
      createStaff(org._id, { roles: ['agent'], storeId: store._id }),
      createStaff(org._id, { roles: ['agent'] }),
    ]);
    const vip = await createCustomer(org._id, { name: '定制客户' });
    await Customer.updateOne({ _id: vip._id, orgId: org._id }, { $set: { tagIds: [custom._id] } });
    const channel = await createChannel(org._id, { routing: 'least_busy', storeId: store._id });
    const g = await connectAgent(server.baseUrl, generalist.login);
    const s = await connectAgent(server.baseUrl, specialist.login);
    const first = await connectCustomer(server.baseUrl, channel.key, { name: '普通客户' });
    const second = await connectCustomer(server.baseUrl, channel.key, { name: '定制客户', phone: vip.phone });
    try {
      expect((await request(s.socket, 'chat:skills', { tagIds: ['aaaaaaaaaaaaaaaaaaaaaaaa'] })).ok).toBe(false);
      await ok(s.socket, 'chat:skills', { tagIds: [String(custom._id)] });
      await ok(s.socket, 'chat:presence', { status: 'online' });
      // The specialist gets the first, ordinary customer (the generalist is offline) and is now the busier one.
      const one = await ok<{ session: Sess }>(first.socket, 'message:send', { clientId: 'p1', text: '你好' });
      const agentOf = async (id: string) => String((await ChatSession.findOne({ orgId: org._id, _id: id }).lean())?.agentId);
      expect(await agentOf(one.session.id)).toBe(String(specialist._id));
      await ok(g.socket, 'chat:presence', { status: 'online' });
      const two = await ok<{ session: Sess }>(second.socket, 'message:send', { clientId: 'v1', text: '想定制一枚戒指' });
      expect(await agentOf(two.session.id)).toBe(String(specialist._id));
    } finally {
      for (const socket of [g.socket, s.socket, first.socket, second.socket]) socket.close();
    }
  });

  it('transfers to a store team: back to the queue and offered to that store’s agents first', async () => {
    const { org, store, otherStore } = await createOrgWithTeam();
    const [here, there] = await Promise.all([
      createStaff(org._id, { roles: ['agent'], storeId: store._id }),
      createStaff(org._id, { roles: ['agent'], storeId: otherStore._id }),
    ]);
    const channel = await createChannel(org._id, { routing: 'least_busy', storeId: store._id });
    await ChatChannel.updateOne({ _id: channel._id, orgId: org._id }, { $set: { routeByStore: false } });
    const a = await connectAgent(server.baseUrl, here.login);
    const b = await connectAgent(server.baseUrl, there.login);
    const customer = await connectCustomer(server.baseUrl, channel.key);
    try {
      await ok(a.socket, 'chat:presence', { status: 'online' });
      const { session } = await ok<{ session: Sess }>(customer.socket, 'message:send', { clientId: 't1', text: '我想去另一家店看看' });
      expect(String((await ChatSession.findOne({ orgId: org._id, _id: session.id }).lean())?.agentId)).toBe(String(here._id));
      await ok(b.socket, 'chat:presence', { status: 'online' });
      expect((await request(a.socket, 'chat:transfer', { sessionId: session.id, toAgentId: null, toStoreId: 'bbbbbbbbbbbbbbbbbbbbbbbb', note: '' })).ok).toBe(
        false,
      );
      await ok(a.socket, 'chat:transfer', { sessionId: session.id, toAgentId: null, toStoreId: String(otherStore._id), note: '客户想去徐汇店' });
      const moved = await ChatSession.findOne({ orgId: org._id, _id: session.id }).lean();
      expect(moved).toMatchObject({ state: 'serving', storeId: otherStore._id, preferStore: true });
      expect(String(moved?.agentId)).toBe(String(there._id));
    } finally {
      for (const socket of [a.socket, b.socket, customer.socket]) socket.close();
    }
  });
});
