import { describe, expect, it, beforeAll, afterEach } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import { useTestDatabase } from '../setup/db.js';
import { startTestServer } from '../setup/server.js';
import { createOrgWithTeam, createStaff, ctxFor } from '../factories.js';
import { connectAgent, connectCustomer, createChannel, ok } from '../setup/chat.js';
import { setClock } from '../../server/clock.js';
import { chatReport, liveOverview } from '../../server/services/chat/reports.js';
import { chatReportQuery } from '../../server/routes/chat/chat.schema.js';
import { ForbiddenError, ValidationError, fieldErrorsOf } from '../../server/errors.js';
import { toAppError } from '../../server/middlewares/errors.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
useTestDatabase({ beforeClose: async () => server?.close() });
beforeAll(async () => {
  server = await startTestServer();
});
afterEach(() => setClock(null));

type Sess = { id: string; state: string };

/** A clock the test moves by hand, so every duration in the report is known to the second. */
function handClock(startIso: string) {
  let now = Date.parse(startIso);
  setClock(() => new Date(now));
  return {
    at: (iso: string) => void (now = Date.parse(iso)),
    advance: (seconds: number) => void (now += seconds * 1000),
  };
}

/** One conversation through the real sockets: the customer writes, the agent accepts after `acceptAfter` s, replies after `replyAfter` s more, closes after `closeAfter` s more (if given), and the customer rates. */
async function conversation(
  clock: ReturnType<typeof handClock>,
  agent: Socket,
  customer: Socket,
  steps: { acceptAfter: number; replyAfter: number; closeAfter?: number; score?: number },
): Promise<string> {
  const { session } = await ok<{ session: Sess }>(customer, 'message:send', { clientId: `q-${Date.now()}-${Math.random()}`, text: '请问还有货吗？' });
  expect(session.state).toBe('queued');
  clock.advance(steps.acceptAfter);
  await ok(agent, 'chat:accept', { sessionId: session.id });
  clock.advance(steps.replyAfter);
  await ok(agent, 'chat:send', { sessionId: session.id, clientId: `r-${session.id}`, text: '有的，欢迎到店。' });
  if (steps.closeAfter !== undefined) {
    clock.advance(steps.closeAfter);
    await ok(agent, 'chat:close', { sessionId: session.id, disposition: 'resolved' });
    if (steps.score !== undefined) await ok(customer, 'rate', { sessionId: session.id, score: steps.score, comment: '' });
  }
  return session.id;
}

describe('chat reports', () => {
  it("counts sessions per local day, store and agent, with first response, handling time and ratings, within the actor's reach", async () => {
    const { org, store, otherStore, admin, manager, clerk, agent } = await createOrgWithTeam();
    const otherAgent = await createStaff(org._id, { roles: ['agent'], storeId: otherStore._id });
    const channelA = await createChannel(org._id, { routing: 'manual', storeId: store._id });
    const channelB = await createChannel(org._id, { routing: 'manual', storeId: otherStore._id });
    // Asia/Shanghai is the default: 02:00Z is 10:00 on 10 March, 17:30Z is 01:30 on 11 March.
    const clock = handClock('2026-03-10T02:00:00Z');
    const a1 = await connectAgent(server.baseUrl, agent.login);
    const a2 = await connectAgent(server.baseUrl, otherAgent.login);
    const customers = await Promise.all(
      [channelA, channelA, channelB, channelA, channelB].map((channel, i) => connectCustomer(server.baseUrl, channel.key, { name: `顾客${i + 1}` })),
    );
    try {
      await ok(a1.socket, 'chat:presence', { status: 'online' });
      await ok(a2.socket, 'chat:presence', { status: 'away' });

      // Store A, 10 March: first responses 30 s and 50 s, handling 90 s and 160 s, rated 5 and 3.
      await conversation(clock, a1.socket, customers[0]!.socket, { acceptAfter: 10, replyAfter: 30, closeAfter: 60, score: 5 });
      clock.at('2026-03-10T03:00:00Z');
      await conversation(clock, a1.socket, customers[1]!.socket, { acceptAfter: 5, replyAfter: 50, closeAfter: 110, score: 3 });
      // Store B, 11 March local time (still 10 March in UTC): replied after 20 s, still open.
      clock.at('2026-03-10T17:30:00Z');
      await conversation(clock, a2.socket, customers[2]!.socket, { acceptAfter: 0, replyAfter: 20 });
      // Waiting, one per store: store A's since 17:31, store B's since 17:32.
      clock.at('2026-03-10T17:31:00Z');
      await ok(customers[3]!.socket, 'message:send', { clientId: 'wait-a', text: '在吗' });
      clock.at('2026-03-10T17:32:00Z');
      await ok(customers[4]!.socket, 'message:send', { clientId: 'wait-b', text: '在吗' });
      clock.at('2026-03-10T17:33:00Z');

      const full = await chatReport(ctxFor(admin), { from: '2026-03-10', to: '2026-03-11' });
      expect(full.timezone).toBe('Asia/Shanghai');
      expect(full.rows).toEqual([
        {
          day: '2026-03-10',
          storeId: String(store._id),
          storeName: store.name,
          agentId: String(agent._id),
          agentName: agent.realName,
          handled: 2,
          closed: 2,
          firstResponseSeconds: 40,
          firstResponseCount: 2,
          handlingSeconds: 125,
          handlingCount: 2,
          ratingAverage: 4,
          ratingCount: 2,
        },
        {
          day: '2026-03-11',
          storeId: String(otherStore._id),
          storeName: otherStore.name,
          agentId: String(otherAgent._id),
          agentName: otherAgent.realName,
          handled: 1,
          closed: 0,
          firstResponseSeconds: 20,
          firstResponseCount: 1,
          handlingSeconds: null,
          handlingCount: 0,
          ratingAverage: null,
          ratingCount: 0,
        },
      ]);
      expect(full.totals).toEqual({
        handled: 3,
        closed: 2,
        firstResponseSeconds: 33.3,
        firstResponseCount: 3,
        handlingSeconds: 125,
        handlingCount: 2,
        ratingAverage: 4,
        ratingCount: 2,
      });
      expect(full.rows.every((r) => r.firstResponseSeconds! > 0)).toBe(true);

      // Days are the organisation's: the 17:30Z session is not on 10 March.
      const tenth = await chatReport(ctxFor(admin), { from: '2026-03-10', to: '2026-03-10' });
      expect(tenth.rows.map((r) => r.agentId)).toEqual([String(agent._id)]);
      expect(tenth.totals.handled).toBe(2);

      // A manager sees their own store only.
      const mine = await chatReport(ctxFor(manager), { from: '2026-03-01', to: '2026-03-31' });
      expect(mine.rows.map((r) => r.storeId)).toEqual([String(store._id)]);
      expect(mine.totals).toMatchObject({ handled: 2, closed: 2, ratingAverage: 4, ratingCount: 2 });

      const live = await liveOverview(ctxFor(admin));
      expect(live).toMatchObject({ queueLength: 2, longestWaitSeconds: 120, oldestQueuedAt: '2026-03-10T17:31:00.000Z', online: 1, away: 1, servingTotal: 1 });
      expect(live.agents).toEqual([
        { agentId: String(agent._id), name: agent.realName, status: 'online', activeSessions: 0, serving: 0, handledToday: 0 },
        { agentId: String(otherAgent._id), name: otherAgent.realName, status: 'away', activeSessions: 1, serving: 1, handledToday: 1 },
      ]);
      const managerLive = await liveOverview(ctxFor(manager));
      expect(managerLive).toMatchObject({ queueLength: 1, longestWaitSeconds: 120, servingTotal: 0 });
      expect(managerLive.agents.map((a) => a.agentId)).toEqual([String(agent._id)]);

      // Agents and clerks have no reports.
      for (const who of [agent, clerk]) {
        await expect(chatReport(ctxFor(who), { from: '2026-03-10', to: '2026-03-11' })).rejects.toBeInstanceOf(ForbiddenError);
        await expect(liveOverview(ctxFor(who))).rejects.toBeInstanceOf(ForbiddenError);
      }

      // Another organisation sees none of it.
      const other = await createOrgWithTeam();
      expect((await chatReport(ctxFor(other.admin), { from: '2026-03-10', to: '2026-03-11' })).rows).toEqual([]);
      expect((await liveOverview(ctxFor(other.admin))).queueLength).toBe(0);
    } finally {
      a1.socket.close();
      a2.socket.close();
      for (const c of customers) c.socket.close();
    }
  });

  it('counts a transferred session for the agent who holds it last, without a negative first response', async () => {
    const { org, store, admin, agent } = await createOrgWithTeam();
    const second = await createStaff(org._id, { roles: ['agent'], storeId: store._id });
    const channel = await createChannel(org._id, { routing: 'manual', storeId: store._id });
    const clock = handClock('2026-04-02T02:00:00Z');
    const a1 = await connectAgent(server.baseUrl, agent.login);
    const a2 = await connectAgent(server.baseUrl, second.login);
    const customer = await connectCustomer(server.baseUrl, channel.key);
    try {
      const sessionId = await conversation(clock, a1.socket, customer.socket, { acceptAfter: 10, replyAfter: 10 });
      clock.advance(40);
      await ok(a1.socket, 'chat:transfer', { sessionId, toAgentId: String(second._id), note: '请跟进' });
      clock.advance(10);
      await ok(a2.socket, 'chat:send', { sessionId, clientId: 'b1', text: '我来接待您。' });
      clock.advance(30);
      await ok(a2.socket, 'chat:close', { sessionId });

      const report = await chatReport(ctxFor(admin), { from: '2026-04-02', to: '2026-04-02' });
      // The transfer moved assignedAt past the first agent's reply: that session has no first response to average.
      expect(report.rows).toEqual([
        expect.objectContaining({
          agentId: String(second._id),
          handled: 1,
          closed: 1,
          firstResponseSeconds: null,
          firstResponseCount: 0,
          handlingSeconds: 40,
          handlingCount: 1,
        }),
      ]);
    } finally {
      a1.socket.close();
      a2.socket.close();
      customer.socket.close();
    }
  });

  it('refuses dates that do not exist and backwards ranges', async () => {
    const { admin } = await createOrgWithTeam();
    const fieldsOf = async (range: { from: string; to: string }) => {
      const err = await chatReport(ctxFor(admin), range).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ValidationError);
      return (err as ValidationError).fields;
    };
    expect(await fieldsOf({ from: '2026-02-30', to: '2026-03-01' })).toEqual({ from: ['invalid_date'] });
    expect(await fieldsOf({ from: '2026-03-02', to: '2026-03-01' })).toEqual({ to: ['invalid_range'] });
    expect(await fieldsOf({ from: '2024-01-01', to: '2026-03-01' })).toEqual({ to: ['invalid_range'] });

    // The route's schema says the same, as a 400 with field codes.
    const parsed = (query: Record<string, unknown>) => {
      const result = chatReportQuery.safeParse(query);
      return result.success ? result.data : { error: fieldErrorsOf(result.error), status: toAppError(result.error)?.status };
    };
    expect(parsed({})).toEqual({});
    expect(parsed({ from: '', to: '2026-03-01' })).toEqual({ to: '2026-03-01' });
    expect(parsed({ from: '2026-03-01', to: '2026-03-07' })).toEqual({ from: '2026-03-01', to: '2026-03-07' });
    expect(parsed({ from: '2026-02-30' })).toEqual({ error: { from: ['invalid_date'] }, status: 400 });
    expect(parsed({ to: '7 March' })).toEqual({ error: { to: ['invalid_date'] }, status: 400 });
    expect(parsed({ from: ['2026-03-01', '2026-03-02'] })).toEqual({ error: { from: ['invalid_date'] }, status: 400 });
    expect(parsed({ from: '2026-03-08', to: '2026-03-01' })).toEqual({ error: { to: ['invalid_range'] }, status: 400 });
  });
});
