import { describe, expect, it, beforeAll } from '@jest/globals';
import { useTestDatabase } from '../setup/db.js';
import { startTestServer } from '../setup/server.js';
import { createOrgWithTeam } from '../factories.js';
import { connectAgent, connectCustomer, createChannel, ok } from '../setup/chat.js';
import { Organization } from '../../server/models/organization.js';
import { ChatMessage } from '../../server/models/chat-session.js';
import { ChatSync } from '../../client/shared/chat-sync.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
useTestDatabase({ beforeClose: async () => server?.close() });
beforeAll(async () => {
  server = await startTestServer();
});

/**
 * What proves delivery is cuts landing while sends are in flight, not the count of messages: the test sends at least
 * this many each way and goes on until the sockets have been cut at least MIN_CUTS times (about one cut per two
 * message pairs here), whatever the machine's speed. CHAT_LOSS_MESSAGES=1000 runs the long soak.
 */
const MIN_MESSAGES = Number(process.env.CHAT_LOSS_MESSAGES ?? 150);
const MIN_CUTS = 30;
/** A ceiling so that a cutter that never cuts ends in the drops assertion rather than a timeout. */
const MAX_MESSAGES = Math.max(MIN_MESSAGES, 3000);

describe('delivery under disconnects', () => {
  it(`keeps at least ${MIN_MESSAGES} messages each way exactly once and in order while both sides are cut off at random`, async () => {
    const { org, agent } = await createOrgWithTeam();
    // The test's pace is far above a person's: the customer rate limit is raised for it.
    await Organization.updateOne({ _id: org._id }, { $set: { 'settings.customerMessageLimit': 100, 'settings.customerMessageWindowSeconds': 1 } });
    const channel = await createChannel(org._id, { routing: 'least_busy' });
    const a = await connectAgent(server.baseUrl, agent.login);
    const c = await connectCustomer(server.baseUrl, channel.key);
    await ok(a.socket, 'chat:presence', { status: 'online' });
    const customer = new ChatSync({ socket: c.socket, side: 'customer' });
    const first = await customer.send('开始');
    const sessionId = first.session.id;
    const agentSide = new ChatSync({ socket: a.socket, side: 'agent' });
    agentSide.track(sessionId);
    await agentSide.sync(sessionId);

    let drops = 0;
    let cutting = true;
    const cutter = (async () => {
      while (cutting) {
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 400));
        const io = server.realtime.io;
        const victims = Math.random() < 0.5 ? [...io.of('/customer').sockets.values()] : [...io.of('/').sockets.values()];
        for (const socket of victims) socket.conn.close();
        drops += victims.length;
      }
    })();

    let sent = 0;
    try {
      while (sent < MAX_MESSAGES && (sent < MIN_MESSAGES || drops < MIN_CUTS)) {
        await Promise.all([customer.send(`c${sent}`), agentSide.send(`a${sent}`, { sessionId })]);
        sent += 1;
      }
    } finally {
      cutting = false;
      await cutter;
    }
    // Let both sides reconnect and catch up on whatever the last cut hid from them.
    for (const side of [customer, agentSide]) {
      for (let i = 0; i < 100 && !(side === customer ? c.socket : a.socket).connected; i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
      await side.sync(sessionId);
    }

    const stored = await ChatMessage.find({ orgId: org._id, sessionId }).sort({ seq: 1 }).lean();
    expect(drops).toBeGreaterThanOrEqual(MIN_CUTS);
    expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: stored.length }, (_, i) => i + 1));
    const texts = stored.map((m) => m.text);
    for (const prefix of ['c', 'a']) {
      const sentOnce = texts.filter((t) => new RegExp(`^${prefix}\\d+$`).test(t));
      expect(sentOnce).toHaveLength(sent);
      expect(new Set(sentOnce).size).toBe(sent);
    }
    // Each side ends with every message exactly once, in the stored order.
    for (const side of [customer, agentSide]) {
      expect(side.messagesOf(sessionId).map((m) => `${m.seq}:${m.text}`)).toEqual(stored.map((m) => `${m.seq}:${m.text}`));
      expect(side.pending.size).toBe(0);
    }
    // The customer's sends kept their order.
    const customerOrder = texts.filter((t) => /^c\d+$/.test(t)).map((t) => Number(t.slice(1)));
    expect(customerOrder).toEqual([...customerOrder].sort((x, y) => x - y));
    c.socket.close();
    a.socket.close();
  }, 600_000); // the soak's thousands of acknowledged messages in sequence, each through PostgreSQL's WAL on FerretDB
});
