import { describe, expect, it, beforeAll } from '@jest/globals';
import { useTestDatabase } from '../setup/db.js';
import { startTestServer } from '../setup/server.js';
import { createOrgWithTeam } from '../factories.js';
import { connectAgent, connectCustomer, createChannel, nextEvent, ok } from '../setup/chat.js';
import { ChatMessage, ChatSession } from '../../server/models/chat-session.js';
import { mongoose } from '../../server/db/connect.js';
import { backfillVisibleNumbers } from '../../server/services/chat/messages.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
useTestDatabase({ beforeClose: async () => server?.close() });
beforeAll(async () => {
  server = await startTestServer();
});

type Msg = { id: string; seq: number; internal: boolean };
type Synced = { session: { id: string; seq: number }; messages: Msg[] };

/** What docs/realtime.md tells a client about numbers and `sync`, checked through real sockets. */
describe('sync and numbering, as the protocol doc states them', () => {
  it("numbers notes in the agents' sequence only: the customer's numbers run 1, 2, 3 with no gaps; a sync answers at most 500 and its session.seq is the position", async () => {
    const { org, agent } = await createOrgWithTeam();
    const channel = await createChannel(org._id, { routing: 'manual' });
    const console = await connectAgent(server.baseUrl, agent.login);
    const customer = await connectCustomer(server.baseUrl, channel.key);
    try {
      await ok(console.socket, 'chat:presence', { status: 'online' });
      const queued = nextEvent<{ id: string; state: string }>(console.socket, 'chat:session', (s) => s.state === 'queued');
      await ok(customer.socket, 'message:send', { clientId: 'c1', text: '在吗？' });
      const sessionId = (await queued).id;
      await ok(console.socket, 'chat:accept', { sessionId });
      const note = await ok<{ message: Msg }>(console.socket, 'chat:send', { sessionId, clientId: 'n1', text: '老客户', internal: true });
      const pushedReply = nextEvent<Msg & { text: string }>(customer.socket, 'message', (m) => m.text === '在的');
      const reply = await ok<{ message: Msg }>(console.socket, 'chat:send', { sessionId, clientId: 'a1', text: '在的' });
      expect(reply.message.seq).toBe(note.message.seq + 1);

      // The agent holds 1…n with none missing, the note included.
      const agentView = await ok<Synced>(console.socket, 'chat:sync', { sessionId, afterSeq: 0 });
      expect(agentView.messages.map((m) => m.seq)).toEqual(Array.from({ length: reply.message.seq }, (_, i) => i + 1));
      // The customer holds 1…m with none missing: the same messages without the note, numbered in their own sequence.
      const visible = agentView.messages.filter((m) => !m.internal);
      const customerView = await ok<Synced>(customer.socket, 'sync', { afterSeq: 0 });
      expect(customerView.messages.map((m) => m.id)).toEqual(visible.map((m) => m.id));
      expect(customerView.messages.map((m) => m.seq)).toEqual(Array.from({ length: visible.length }, (_, i) => i + 1));
      expect(customerView.session.seq).toBe(visible.length);
      // The push of the reply carries the customer's number, the one after what they held before it.
      expect((await pushedReply).seq).toBe(visible.length);
      expect(reply.message.seq).toBeGreaterThan(visible.length);

      // Read marks cross between the numberings: each side sees the other's in its own.
      await ok(customer.socket, 'read', { sessionId, seq: visible.length });
      expect((await ChatSession.findOne({ _id: sessionId, orgId: org._id }).lean())!.customerReadSeq).toBe(reply.message.seq);
      const read = await ok<{ session: { seq: number } }>(console.socket, 'chat:read', { sessionId, seq: reply.message.seq });
      expect(read.session.seq).toBe(reply.message.seq);
      const state = await ok<{ session: { agentReadSeq: number; seq: number } }>(customer.socket, 'state', {});
      expect(state.session).toMatchObject({ seq: visible.length, agentReadSeq: visible.length });

      // Messages stored before the customer's numbering existed get the same numbers from the data migration.
      const numbered = await ChatMessage.find({ orgId: org._id, sessionId }, { seq: 1, visibleSeq: 1 }).sort({ seq: 1 }).lean();
      const sessionBefore = (await ChatSession.findOne({ _id: sessionId, orgId: org._id }).lean())!;
      await ChatMessage.collection.updateMany({ orgId: org._id, sessionId: new mongoose.Types.ObjectId(sessionId) }, { $unset: { visibleSeq: '' } });
      await ChatSession.collection.updateOne(
        { _id: new mongoose.Types.ObjectId(sessionId), orgId: org._id },
        { $unset: { visibleSeq: '', agentReadVisibleSeq: '' } },
      );
      expect(await backfillVisibleNumbers()).toBe(numbered.length);
      expect(await ChatMessage.find({ orgId: org._id, sessionId }, { seq: 1, visibleSeq: 1 }).sort({ seq: 1 }).lean()).toEqual(numbered);
      expect(await ChatSession.findOne({ _id: sessionId, orgId: org._id }).lean()).toMatchObject({
        visibleSeq: sessionBefore.visibleSeq,
        agentReadVisibleSeq: sessionBefore.agentReadVisibleSeq,
      });
      expect(await backfillVisibleNumbers()).toBe(0);

      // 600 more: an answer holds 500 in order; the next, with fewer, ends at its session.seq (in each side's numbering).
      const session = (await ChatSession.findOne({ _id: sessionId, orgId: org._id }).lean())!;
      const first = reply.message.seq + 1;
      const firstVisible = visible.length + 1;
      await ChatMessage.collection.insertMany(
        Array.from({ length: 600 }, (_, i) => ({
          _id: new mongoose.Types.ObjectId(),
          orgId: org._id,
          sessionId: session._id,
          visitorId: session.visitorId,
          seq: first + i,
          visibleSeq: firstVisible + i,
          clientId: `bulk-${i}`,
          dedupeKey: `customer:${String(session.visitorId)}:bulk-${i}`,
          sender: 'customer',
          agentId: null,
          text: `第 ${i} 条`,
          image: null,
          internal: false,
          createdAt: new Date(),
        })),
      );
      await ChatSession.updateOne({ _id: session._id, orgId: org._id }, { $max: { seq: first + 599, visibleSeq: firstVisible + 599 } });
      for (const [event, payload, from, held] of [
        ['sync', {}, firstVisible, visible.length],
        ['chat:sync', { sessionId }, first, reply.message.seq],
      ] as const) {
        const socket = event === 'sync' ? customer.socket : console.socket;
        const page = await ok<Synced>(socket, event, { ...payload, afterSeq: held });
        expect(page.messages).toHaveLength(500);
        expect(page.messages.map((m) => m.seq)).toEqual(Array.from({ length: 500 }, (_, i) => from + i));
        const rest = await ok<Synced>(socket, event, { ...payload, afterSeq: page.messages.at(-1)!.seq });
        expect(rest.messages).toHaveLength(100);
        expect(rest.session.seq).toBe(from + 599);
      }
    } finally {
      customer.socket.close();
      console.socket.close();
    }
  }, 60_000);
});
