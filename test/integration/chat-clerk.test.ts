import { describe, expect, it, beforeAll } from '@jest/globals';
import { useTestDatabase } from '../setup/db.js';
import { startTestServer } from '../setup/server.js';
import { createOrgWithTeam, createCustomer, createStaff, PASSWORD, ctxFor } from '../factories.js';
import { signIn } from '../setup/app.js';
import { connectAgent, connectCustomer, createChannel, ok, request } from '../setup/chat.js';
import { ChatSession } from '../../server/models/chat-session.js';
import { runDailyFollowups } from '../../server/services/followups/daily-run.js';
import { transferCustomers } from '../../server/services/customers/transfer.js';
import { Staff } from '../../server/models/staff.js';
import { setClock } from '../../server/clock.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
useTestDatabase({ beforeClose: async () => server?.close() });
beforeAll(async () => {
  server = await startTestServer();
});

type Sess = { id: string; state: string; agentId: string | null };

describe('clerks as service windows for their own customers', () => {
  it('lets a clerk follow and take over their own customer’s conversation, never others’, and never routes them strangers', async () => {
    const { org, store, clerk, agent, manager } = await createOrgWithTeam();
    const otherClerk = await createStaff(org._id, { roles: ['clerk'], storeId: store._id });
    const mine = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '周晓雯', birthday: { month: 12, day: 1 } });
    const channel = await createChannel(org._id, { routing: 'least_busy' });
    const c = await connectClerkAndCustomers();
    async function connectClerkAndCustomers() {
      const clerkSocket = await connectAgent(server.baseUrl, clerk.login);
      const ownCustomer = await connectCustomer(server.baseUrl, channel.key, { name: '周小姐', phone: mine.phone });
      const stranger = await connectCustomer(server.baseUrl, channel.key, { name: '路人' });
      return { clerkSocket, ownCustomer, stranger };
    }
    try {
      // The clerk goes online but is not routed: both sessions wait in the queue.
      await ok(c.clerkSocket.socket, 'chat:presence', { status: 'online' });
      const own = await ok<{ session: Sess }>(c.ownCustomer.socket, 'message:send', { clientId: 'o1', text: '我的戒指好了吗？' });
      const strange = await ok<{ session: Sess }>(c.stranger.socket, 'message:send', { clientId: 's1', text: '你好' });
      expect(own.session.state).toBe('queued');
      expect(strange.session.state).toBe('queued');

      const overview = await ok<{ queue: { id: string }[] }>(c.clerkSocket.socket, 'chat:overview', {});
      expect(overview.queue.map((s) => s.id)).toEqual([own.session.id]);
      expect((await request(c.clerkSocket.socket, 'chat:open', { sessionId: strange.session.id })).ok).toBe(false);
      const accepted = await ok<{ session: Sess }>(c.clerkSocket.socket, 'chat:accept', { sessionId: own.session.id });
      expect(accepted.session.agentId).toBe(String(clerk._id));
      await ok(c.clerkSocket.socket, 'chat:send', { sessionId: own.session.id, clientId: 'k1', text: '好了，明天可以来取。' });

      // The follow-up inbox links the birthday task to that conversation.
      setClock(new Date('2026-12-01T02:00:00Z'));
      await runDailyFollowups(String(org._id), new Date('2026-12-01T02:00:00Z'), { date: '2026-12-01' });
      const browser = await signIn(server.baseUrl, clerk.login, PASSWORD);
      const inbox = await browser.get('/followups').expect(200);
      // Handlebars writes = as &#x3D; in attributes; the browser reads it back.
      expect(inbox.text.replaceAll('&#x3D;', '=')).toContain(`/console/agent#session=${own.session.id}`);
      await browser.get('/console/agent').expect(200);

      // After a transfer of the customer, the conversation follows to the new clerk.
      await Staff.updateOne({ _id: clerk._id, orgId: org._id }, { $set: { status: 'left' } });
      await transferCustomers(ctxFor(manager), {
        customerIds: [String(mine._id)],
        fromStaffId: String(clerk._id),
        toStaffId: String(otherClerk._id),
        note: '',
      });
      expect(String((await ChatSession.findOne({ orgId: org._id, _id: own.session.id }).lean())?.ownerId)).toBe(String(otherClerk._id));
      expect(agent).toBeDefined();
    } finally {
      setClock(null);
      c.clerkSocket.socket.close();
      c.ownCustomer.socket.close();
      c.stranger.socket.close();
    }
  });
});
