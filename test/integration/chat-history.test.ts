import { describe, expect, it, beforeAll } from '@jest/globals';
import { useTestDatabase } from '../setup/db.js';
import { startTestServer } from '../setup/server.js';
import { createCustomer, createOrgWithTeam } from '../factories.js';
import { connectAgent, connectCustomer, createChannel, ok } from '../setup/chat.js';
import { ChatSession } from '../../server/models/chat-session.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
useTestDatabase({ beforeClose: async () => server?.close() });
beforeAll(async () => {
  server = await startTestServer();
});

type Sess = { id: string; state: string; customerId?: string | null };
type Opened = { earlier: { id: string }[]; customer: { timeline: { type: string; count: number; label: string }[] } | null };

/** A conversation from one device: the customer writes, the agent takes it and closes it. */
async function conversation(
  agentSocket: Awaited<ReturnType<typeof connectAgent>>['socket'],
  device: Awaited<ReturnType<typeof connectCustomer>>,
  text: string,
): Promise<Sess> {
  const { session } = await ok<{ session: Sess }>(device.socket, 'message:send', { clientId: `${text}-1`, text });
  if (session.state === 'queued') await ok(agentSocket, 'chat:accept', { sessionId: session.id });
  return session;
}

describe('a conversation history that follows the customer, not the browser', () => {
  it("shows the agent a known customer's conversations from another device, and folds repeated timeline lines", async () => {
    const { org, agent, clerk } = await createOrgWithTeam();
    const channel = await createChannel(org._id, { routing: 'least_busy' });
    const customer = await createCustomer(org._id, { ownerId: clerk._id, name: '陈女士', phone: '13800138011' });
    const console = await connectAgent(server.baseUrl, agent.login);
    const phone = await connectCustomer(server.baseUrl, channel.key, { name: '陈女士', phone: '13800138011' });
    let laptop: Awaited<ReturnType<typeof connectCustomer>> | undefined;
    try {
      await ok(console.socket, 'chat:presence', { status: 'online' });
      const first = await conversation(console.socket, phone, '榴莲还有吗');
      expect(String((await ChatSession.findOne({ _id: first.id, orgId: org._id }).lean())?.customerId)).toBe(String(customer._id));
      await ok(console.socket, 'chat:close', { sessionId: first.id, disposition: 'resolved' });

      // The same person on a new device (a new visitor token), giving the same number.
      laptop = await connectCustomer(server.baseUrl, channel.key, { name: '陈女士', phone: '138 0013 8011' });
      const second = await conversation(console.socket, laptop, '想订一个水果礼盒');
      const opened = await ok<Opened>(console.socket, 'chat:open', { sessionId: second.id });
      expect(opened.earlier.map((s) => s.id)).toEqual([first.id]);

      // Four state changes of the first conversation (new → queued/serving → closed …) and the second's: one line each run.
      const timeline = opened.customer!.timeline;
      const types = timeline.map((entry) => entry.type);
      expect(types.filter((type, i) => type === types[i - 1])).toEqual([]);
      const stateLine = timeline.find((entry) => entry.type === 'chat.state')!;
      expect(stateLine.count).toBeGreaterThan(1);
    } finally {
      console.socket.close();
      phone.socket.close();
      laptop?.socket.close();
    }
  });

  it("links a visitor's earlier conversations to the customer the agent links them to, so the next device finds them", async () => {
    const { org, admin, clerk } = await createOrgWithTeam();
    const channel = await createChannel(org._id, { routing: 'least_busy' });
    const customer = await createCustomer(org._id, { ownerId: clerk._id, name: '赵先生', phone: '13900139022' });
    // An admin serving chats may link any customer of the organisation (an agent only one they may read).
    const console = await connectAgent(server.baseUrl, admin.login);
    // First visits without a number: nothing ties the visitor to the CRM yet.
    const anonymous = await connectCustomer(server.baseUrl, channel.key, { name: '赵先生' });
    let later: Awaited<ReturnType<typeof connectCustomer>> | undefined;
    try {
      await ok(console.socket, 'chat:presence', { status: 'online' });
      const before = await conversation(console.socket, anonymous, '芒果甜吗');
      await ok(console.socket, 'chat:close', { sessionId: before.id, disposition: 'resolved' });
      const again = await conversation(console.socket, anonymous, '再来两箱');
      expect((await ChatSession.findOne({ _id: again.id, orgId: org._id }).lean())?.customerId).toBeNull();

      // The agent recognises him and links this conversation: the answer lists his conversations.
      const linked = await ok<{ session: Sess; earlier: { id: string }[] }>(console.socket, 'chat:link-customer', {
        sessionId: again.id,
        customerId: String(customer._id),
      });
      expect(linked.session.customerId).toBe(String(customer._id));
      expect(linked.earlier.map((s) => s.id)).toEqual([before.id]);
      await ok(console.socket, 'chat:close', { sessionId: again.id, disposition: 'resolved' });

      // Next time he writes from another phone with his number: both earlier conversations are there.
      later = await connectCustomer(server.baseUrl, channel.key, { name: '赵先生', phone: '13900139022' });
      const third = await conversation(console.socket, later, '今天有荔枝吗');
      const opened = await ok<Opened>(console.socket, 'chat:open', { sessionId: third.id });
      expect(opened.earlier.map((s) => s.id).sort()).toEqual([before.id, again.id].sort());
    } finally {
      console.socket.close();
      anonymous.socket.close();
      later?.socket.close();
    }
  });
});
