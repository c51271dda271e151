import { AgentPresence, ChatSession, type ChatSessionDoc } from '../../models/chat-session.js';
import { clock } from '../../clock.js';
import { toObjectId } from '../ids.js';
import { routeQueue, transition } from './sessions.js';
import { reconcileSlots, releaseAgentSlot } from './slots.js';
import { AGENT_GONE_MS, liveNow, liveStaffIds, purgeExpiredConsoles } from './presence.js';

/**
 * Sessions served by agents none of whose consoles has been heard from for AGENT_GONE_MS go back to the queue
 * (guarded on the agent, so a session closed or transferred meanwhile is left alone), and the router offers them
 * to agents who are there. Returns how many went back.
 */
export async function requeueSessionsOfAbsentAgents(orgId: string): Promise<number> {
  const org = toObjectId(orgId);
  const serving = (await ChatSession.distinct('agentId', { orgId: org, state: 'serving' })).filter(Boolean).map(String);
  if (!serving.length) return 0;
  const live = new Set((await liveStaffIds(org)).map(String));
  const absent = serving.filter((id) => !live.has(id));
  if (!absent.length) return 0;
  const cutoff = new Date(liveNow().getTime() - AGENT_GONE_MS);
  // An agent whose last console closed only moments ago may be reloading the page: their sessions wait a little.
  const recent = new Set(
    (await AgentPresence.find({ orgId: org, staffId: { $in: absent.map((id) => toObjectId(id)) }, seenAt: { $gt: cutoff } }, { staffId: 1 }).lean()).map((p) =>
      String(p.staffId),
    ),
  );
  const gone = absent.filter((id) => !recent.has(id)).map((id) => toObjectId(id));
  if (!gone.length) return 0;
  const sessions = await ChatSession.find({ orgId: org, state: 'serving', agentId: { $in: gone } }).lean<ChatSessionDoc[]>();
  let requeued = 0;
  for (const session of sessions) {
    const queued = await transition(session, 'queued', {
      note: 'agent_gone',
      set: { queuedAt: clock.now(), agentId: null },
      guard: { agentId: session.agentId },
    });
    if (!queued) continue;
    await releaseAgentSlot(org, session.agentId, session._id);
    requeued += 1;
  }
  return requeued;
}

/**
 * The periodic repair of an organisation's live service (jobs/chat-sweep.job.ts): expired consoles removed,
 * sessions of vanished agents back in the queue, every agent's slots made equal to the sessions they serve, and a
 * routing pass, so a customer is never left waiting on an event that got lost. Idempotent: a second run finds
 * nothing to do.
 */
export async function sweepChat(orgId: string): Promise<{ requeued: number; repairedSlots: number; routed: number }> {
  const org = toObjectId(orgId);
  await purgeExpiredConsoles(org);
  const requeued = await requeueSessionsOfAbsentAgents(orgId);
  const repairedSlots = await reconcileSlots(org);
  const routed = await routeQueue(orgId);
  return { requeued, repairedSlots, routed };
}

/** Organisations with live service to look after: anyone waiting or served, or any agent with a presence. */
export async function organisationsWithLiveService(): Promise<string[]> {
  const [withSessions, withAgents] = await Promise.all([
    ChatSession.distinct('orgId', { state: { $in: ['queued', 'serving'] } }).setOptions({ allOrgs: true }),
    AgentPresence.distinct('orgId', {}).setOptions({ allOrgs: true }),
  ]);
  return [...new Set([...withSessions, ...withAgents].map(String))];
}
