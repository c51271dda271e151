import { describe, expect, it, beforeAll } from '@jest/globals';
import type { Types } from 'mongoose';
import { useTestDatabase } from '../setup/db.js';
import { startTestServer } from '../setup/server.js';
import { createOrgWithTeam, ctxFor } from '../factories.js';
import { connectAgent, connectCustomer, createChannel, ok, request } from '../setup/chat.js';
import { ChatMessage, ChatSession } from '../../server/models/chat-session.js';
import { Organization } from '../../server/models/organization.js';
import { sendAgentMessage } from '../../server/services/chat/agent-chat.js';
import { forgetChatSettings } from '../../server/services/chat/sessions.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
useTestDatabase({ beforeClose: async () => server?.close() });
beforeAll(async () => {
  server = await startTestServer();
});

type Msg = { seq: number; text: string; clientId: string };
type Sent = { message: Msg; session: { id: string; agentMessagesSinceCustomer: number } };
type Opened = { replyWindow: { open: boolean; remaining: number; reason: string | null } };

/** An organisation whose agent is online and serving a customer who wrote once; the agent's console is connected. */
async function servedConversation(settings: Record<string, number> = {}) {
  const { org, agent } = await createOrgWithTeam();
  if (Object.keys(settings).length) {
    await Organization.updateOne({ _id: org._id }, { $set: Object.fromEntries(Object.entries(settings).map(([k, v]) => [`settings.${k}`, v])) });
    forgetChatSettings();
  }
  const channel = await createChannel(org._id, { routing: 'least_busy' });
  const a = await connectAgent(server.baseUrl, agent.login);
  const customer = await connectCustomer(server.baseUrl, channel.key);
  await ok(a.socket, 'chat:presence', { status: 'online' });
  const { session } = await ok<{ session: { id: string } }>(customer.socket, 'message:send', { clientId: 'hello', text: '在吗' });
  const state = await ChatSession.findOne({ _id: session.id, orgId: org._id }).lean();
  expect(state?.state).toBe('serving');
  return { org, agent, a, customer, sessionId: session.id };
}

async function agentMessages(orgId: Types.ObjectId, sessionId: string) {
  return ChatMessage.find({ orgId, sessionId, sender: 'agent' }).sort({ seq: 1 }).lean();
}

describe("an agent's messages sent without waiting for acknowledgements", () => {
  it('numbers a burst from one socket in the order it was sent', async () => {
    const N = 12;
    const { org, a, customer, sessionId } = await servedConversation({ replyWindowMessages: 20 });
    try {
      // All emitted before any answer comes back, as a console does when the agent presses Enter quickly.
      const acks = await Promise.all(Array.from({ length: N }, (_, i) => ok<Sent>(a.socket, 'chat:send', { sessionId, clientId: `b${i}`, text: `第${i}条` })));
      const seqs = acks.map((ack) => ack.message.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect((await agentMessages(org._id, sessionId)).map((m) => m.clientId)).toEqual(Array.from({ length: N }, (_, i) => `b${i}`));
    } finally {
      a.socket.close();
      customer.socket.close();
    }
  });

  it("keeps each tab's own order when two sockets of the agent send bursts at the same time", async () => {
    const N = 8;
    const { org, agent, a, customer, sessionId } = await servedConversation({ replyWindowMessages: 20 });
    const b = await connectAgent(server.baseUrl, agent.login);
    try {
      const sends: Promise<Sent>[] = [];
      for (let i = 0; i < N; i += 1) {
        sends.push(ok<Sent>(a.socket, 'chat:send', { sessionId, clientId: `a${i}`, text: `甲${i}` }));
        sends.push(ok<Sent>(b.socket, 'chat:send', { sessionId, clientId: `b${i}`, text: `乙${i}` }));
      }
      await Promise.all(sends);
      const stored = (await agentMessages(org._id, sessionId)).map((m) => m.clientId);
      expect(stored).toHaveLength(2 * N);
      for (const tab of ['a', 'b']) expect(stored.filter((id) => id.startsWith(tab))).toEqual(Array.from({ length: N }, (_, i) => `${tab}${i}`));
      const all = await ChatMessage.find({ orgId: org._id, sessionId }).sort({ seq: 1 }).lean();
      expect(all.map((m) => m.seq)).toEqual(all.map((_, i) => i + 1));
    } finally {
      a.socket.close();
      b.socket.close();
      customer.socket.close();
    }
  });
});

describe('repeats of an agent message (same client id)', () => {
  it('stores each of N copies in flight once and spends one place of the reply window each', async () => {
    const COPIES = 3;
    const { org, agent, a, customer, sessionId } = await servedConversation();
    const b = await connectAgent(server.baseUrl, agent.login);
    try {
      // Two messages, three copies of each in flight at once, from two tabs (a reconnecting console re-sends too).
      const sends: Promise<Sent>[] = [];
      for (const clientId of ['m0', 'm1'])
        for (let copy = 0; copy < COPIES; copy += 1)
          sends.push(ok<Sent>(copy % 2 ? b.socket : a.socket, 'chat:send', { sessionId, clientId, text: `回复 ${clientId}` }));
      const acks = await Promise.all(sends);
      for (const clientId of ['m0', 'm1']) expect(new Set(acks.filter((ack) => ack.message.clientId === clientId).map((ack) => ack.message.seq)).size).toBe(1);
      expect((await agentMessages(org._id, sessionId)).map((m) => m.clientId)).toEqual(['m0', 'm1']);
      expect((await ChatSession.findOne({ _id: sessionId, orgId: org._id }).lean())?.agentMessagesSinceCustomer).toBe(2);
      const opened = await ok<Opened>(a.socket, 'chat:open', { sessionId });
      expect(opened.replyWindow).toMatchObject({ open: true, remaining: 3 });

      // The three places left are there to use; a copy of a stored message past the limit is still acknowledged.
      for (let i = 2; i < 5; i += 1) await ok(a.socket, 'chat:send', { sessionId, clientId: `m${i}`, text: `回复 ${i}` });
      const sixth = await request(a.socket, 'chat:send', { sessionId, clientId: 'm5', text: '第六条' });
      expect(sixth.ok ? null : sixth.error.code).toBe('reply_limit_reached');
      const again = await ok<Sent>(b.socket, 'chat:send', { sessionId, clientId: 'm0', text: '回复 m0' });
      expect(again.message.seq).toBe(acks[0]!.message.seq);
    } finally {
      a.socket.close();
      b.socket.close();
      customer.socket.close();
    }
  });

  it('takes one place per message when copies reach the service at the same moment (as from two app processes)', async () => {
    const { org, agent, a, customer, sessionId } = await servedConversation();
    try {
      const ctx = ctxFor(agent);
      const copies = await Promise.all(
        ['r0', 'r0', 'r0', 'r1', 'r1', 'r1'].map((clientId) => sendAgentMessage(ctx, { sessionId, clientId, text: `回复 ${clientId}`, internal: false })),
      );
      expect(new Set(copies.map((c) => String(c.message._id))).size).toBe(2);
      expect((await agentMessages(org._id, sessionId)).map((m) => m.clientId).sort()).toEqual(['r0', 'r1']);
      expect((await ChatSession.findOne({ _id: sessionId, orgId: org._id }).lean())?.agentMessagesSinceCustomer).toBe(2);
    } finally {
      a.socket.close();
      customer.socket.close();
    }
  });
});
