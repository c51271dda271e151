import { AgentPresence, ChatSession, type AgentSlot } from '../../models/chat-session.js';
import { clock } from '../../clock.js';
import type { mongoose } from '../../db/connect.js';

type Id = mongoose.Types.ObjectId;

/**
 * Takes a slot of an agent for one session if they are under the cap: one conditional update, so the cap holds
 * under races between processes. A slot names its session, so taking it twice for the same session is refused
 * instead of counted twice.
 */
export async function claimAgentSlot(orgId: Id, staffId: Id, sessionId: Id, max: number, opts: { onlineOnly: boolean }): Promise<boolean> {
  const now = clock.now();
  const result = await AgentPresence.updateOne(
    { orgId, staffId, activeSessions: { $lt: max }, 'slots.sessionId': { $ne: sessionId }, ...(opts.onlineOnly ? { status: 'online' } : {}) },
    { $push: { slots: { sessionId, at: now } }, $inc: { activeSessions: 1, slotsVersion: 1 }, $set: { lastAssignedAt: now } },
  );
  return result.modifiedCount === 1;
}

/**
 * Takes slots for several agents at once, each agent's all or none: one write holding one conditional update per
 * agent (room for all of their sessions under the cap, none of them held already), then one read of whose claim
 * held (their slots hold these sessions, taken at this very moment). Answers the staff ids whose claim held.
 */
export async function claimAgentSlotsOfMany(
  orgId: Id,
  claims: { staffId: Id; sessionIds: Id[] }[],
  max: number,
  opts: { onlineOnly: boolean },
): Promise<Set<string>> {
  const wanted = claims.filter((c) => c.sessionIds.length && c.sessionIds.length <= max);
  if (!wanted.length) return new Set();
  if (wanted.length === 1 && wanted[0]!.sessionIds.length === 1) {
    const only = wanted[0]!;
    return new Set((await claimAgentSlot(orgId, only.staffId, only.sessionIds[0]!, max, opts)) ? [String(only.staffId)] : []);
  }
  const now = clock.now();
  await AgentPresence.bulkWrite(
    wanted.map(({ staffId, sessionIds }) => ({
      updateOne: {
        filter: {
          orgId,
          staffId,
          activeSessions: { $lte: max - sessionIds.length },
          'slots.sessionId': { $nin: sessionIds },
          ...(opts.onlineOnly ? { status: 'online' } : {}),
        },
        update: {
          $push: { slots: { $each: sessionIds.map((sessionId) => ({ sessionId, at: now })) } },
          $inc: { activeSessions: sessionIds.length, slotsVersion: 1 },
          $set: { lastAssignedAt: now },
        },
      },
    })),
    { ordered: false },
  );
  const presences = await AgentPresence.find({ orgId, staffId: { $in: wanted.map((c) => c.staffId) } }, { staffId: 1, slots: 1 }).lean();
  const slotsOf = new Map(
    presences.map((p) => [String(p.staffId), new Map((p.slots ?? []).map((slot) => [String(slot.sessionId), new Date(slot.at).getTime()]))]),
  );
  return new Set(
    wanted.filter((c) => c.sessionIds.every((id) => slotsOf.get(String(c.staffId))?.get(String(id)) === now.getTime())).map((c) => String(c.staffId)),
  );
}

/** Gives back the slot an agent holds for this session; a second call, or one for a slot never taken, changes nothing. */
export async function releaseAgentSlot(orgId: Id, staffId: Id | null | undefined, sessionId: Id): Promise<void> {
  if (!staffId) return;
  await AgentPresence.updateOne(
    { orgId, staffId, 'slots.sessionId': sessionId },
    { $pull: { slots: { sessionId } }, $inc: { activeSessions: -1, slotsVersion: 1 } },
  );
}

/** A slot taken this recently may belong to an assignment still in flight (taken, session not yet changed). */
const IN_FLIGHT_MS = 10_000;

/**
 * Makes every agent's slots equal the sessions they serve: a slot whose session is no longer theirs goes (after
 * the in-flight grace), a served session without a slot gets one. Each repair applies only if the agent's slots did
 * not change since they were read (`slotsVersion`); a repair that lost a race waits for the next sweep. Returns how
 * many agents needed a repair (0 when everything already matched).
 */
export async function reconcileSlots(orgId: Id): Promise<number> {
  const now = clock.now().getTime();
  const presences = await AgentPresence.find({ orgId }, { staffId: 1, slots: 1, slotsVersion: 1, activeSessions: 1 }).lean();
  let repaired = 0;
  for (const presence of presences) {
    const serving = await ChatSession.find({ orgId, agentId: presence.staffId, state: 'serving' }, { _id: 1, assignedAt: 1 }).lean();
    const held = new Map((presence.slots ?? []).map((slot) => [String(slot.sessionId), slot]));
    const wanted: AgentSlot[] = serving.map((s) => held.get(String(s._id)) ?? { sessionId: s._id, at: s.assignedAt ?? new Date(now) });
    const servingIds = new Set(serving.map((s) => String(s._id)));
    for (const slot of presence.slots ?? []) {
      if (!servingIds.has(String(slot.sessionId)) && now - new Date(slot.at).getTime() < IN_FLIGHT_MS) wanted.push(slot);
    }
    const same =
      wanted.length === (presence.slots ?? []).length && wanted.every((slot) => held.has(String(slot.sessionId))) && presence.activeSessions === wanted.length;
    if (same) continue;
    const result = await AgentPresence.updateOne(
      { _id: presence._id, orgId, slotsVersion: presence.slotsVersion === undefined ? { $exists: false } : presence.slotsVersion },
      { $set: { slots: wanted, activeSessions: wanted.length }, $inc: { slotsVersion: 1 } },
    );
    repaired += result.modifiedCount;
  }
  return repaired;
}
