import { ChatChannel, ChatVisitor, type ChatChannelDoc, type ChatVisitorDoc } from '../../models/chat-channel.js';
import { AgentPresence, ChatSession, type AgentPresenceDoc, type ChatMessageDoc, type ChatSessionDoc, type SessionState } from '../../models/chat-session.js';
import { Organization } from '../../models/organization.js';
import { Customer } from '../../models/customer.js';
import { effectiveSettings, type OrgSettings } from '../../domain/settings.js';
import { domainEvents } from '../events.js';
import { appendTimeline } from '../customers/timeline.js';
import { systemContext, type ServiceContext } from '../context.js';
import { toObjectId } from '../ids.js';
import { appendMessage } from './messages.js';
import { chatChannel, withinBusinessHours } from './channels.js';
import { i18n } from '../../i18n/index.js';
import { clock } from '../../clock.js';
import { mongoose } from '../../db/connect.js';
import { claimAgentSlot, claimAgentSlotsOfMany, releaseAgentSlot } from './slots.js';
import { anyAgentOnline, liveStaffIds } from './presence.js';
import { inGroups } from '../in-groups.js';
import { wakeRouter } from './routing-loop.js';
import { runtime, type ChatRuntime, type PositionAsk } from '../../runtime.js';

/**
 * The organisation's chat settings (reply window, concurrent sessions, rate limit, timezone). Every chat message
 * needs them, so they are kept for a few seconds; a change in this process applies at once, in others within 5 s.
 */
export async function chatSettings(orgId: mongoose.Types.ObjectId | string): Promise<OrgSettings> {
  return runtime().chat.settings.get(String(orgId), () =>
    Organization.findById(toObjectId(orgId), { settings: 1 })
      .lean()
      .then((org) => effectiveSettings(org?.settings)),
  );
}

/** Tests change settings (and channels) behind the services' back. */
export function forgetChatSettings(): void {
  runtime().chat.settings.clear();
  runtime().chat.channels.clear();
}

/** Tells the realtime layer a session changed, with the session as written (no second read per push). */
export function announce(session: ChatSessionDoc, previousAgentId?: mongoose.Types.ObjectId | null): void {
  domainEvents.emitEvent('chat.session', {
    session,
    orgId: String(session.orgId),
    sessionId: String(session._id),
    visitorId: String(session.visitorId),
    agentId: session.agentId ? String(session.agentId) : null,
    ...(previousAgentId !== undefined ? { previousAgentId: previousAgentId ? String(previousAgentId) : null } : {}),
  });
}

/**
 * One state change, applied only if the session is still in the state it was read in (no lost updates between
 * processes); timestamped in the session and, when the customer is known, in the customer's timeline.
 */
export async function transition(
  session: ChatSessionDoc,
  to: SessionState,
  opts: { by?: ServiceContext; set?: Partial<ChatSessionDoc>; note?: string; guard?: Record<string, unknown> } = {},
): Promise<ChatSessionDoc | null> {
  const at = clock.now();
  const by = opts.by && !opts.by.actor.system ? toObjectId(opts.by.actor.id) : null;
  const updated = await ChatSession.findOneAndUpdate(
    { _id: session._id, orgId: session.orgId, state: session.state, ...(opts.guard ?? {}) },
    { $set: { state: to, ...(opts.set ?? {}) }, $push: { transitions: { state: to, at, by, ...(opts.note ? { note: opts.note } : {}) } } },
    { returnDocument: 'after' },
  ).lean<ChatSessionDoc>();
  if (!updated) return null;
  if (updated.customerId) {
    await appendTimeline(opts.by ?? systemContext(String(session.orgId)), updated.customerId, 'chat.state', {
      sessionId: String(updated._id),
      state: to,
      from: session.state,
    });
  }
  announce(updated, opts.set && 'agentId' in opts.set ? (session.agentId ?? null) : undefined);
  return updated;
}

/**
 * The same change for several sessions of one organisation (a routing pass, a burst of new sessions): one write
 * holding each session's guarded update (still applied only in the state it was read in) and one read, instead of a
 * round trip each. Ours are the sessions whose history holds this very change (same state, same moment; `also`
 * narrows it further); they are announced and timestamped in their customers' timelines like single transitions.
 * Returns them as read after the write.
 */
async function transitionMany(
  sessions: ChatSessionDoc[],
  to: SessionState,
  setOf: (session: ChatSessionDoc) => Partial<ChatSessionDoc>,
  also: (updated: ChatSessionDoc) => boolean = () => true,
): Promise<ChatSessionDoc[]> {
  if (!sessions.length) return [];
  if (sessions.length === 1) {
    const one = await transition(sessions[0]!, to, { set: setOf(sessions[0]!) });
    return one ? [one] : [];
  }
  const org = sessions[0]!.orgId;
  const at = clock.now();
  await ChatSession.bulkWrite(
    sessions.map((s) => ({
      updateOne: {
        filter: { _id: s._id, orgId: org, state: s.state },
        update: { $set: { state: to, ...setOf(s) }, $push: { transitions: { state: to, at, by: null } } },
      },
    })),
    { ordered: false },
  );
  const after = await ChatSession.find({ _id: { $in: sessions.map((s) => s._id) }, orgId: org }).lean<ChatSessionDoc[]>();
  const applied = after.filter((s) => s.transitions.some((t) => t.state === to && new Date(t.at).getTime() === at.getTime()) && also(s));
  const before = new Map(sessions.map((s) => [String(s._id), s]));
  await Promise.all(
    applied.map(async (updated) => {
      const previous = before.get(String(updated._id))!;
      if (updated.customerId)
        await appendTimeline(systemContext(String(org)), updated.customerId, 'chat.state', { sessionId: String(updated._id), state: to, from: previous.state });
      announce(updated, 'agentId' in setOf(previous) ? (previous.agentId ?? null) : undefined);
    }),
  );
  return applied;
}

/** Groups by organisation and state, in the order given. */
function bySameStart(sessions: ChatSessionDoc[]): ChatSessionDoc[][] {
  const groups = new Map<string, ChatSessionDoc[]>();
  for (const session of sessions) {
    const key = `${String(session.orgId)}:${session.state}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(session);
  }
  return [...groups.values()];
}

/** New sessions going to the queue, gathered: a burst of new conversations queues in a few updates. */
const queueNewSessions = inGroups<ChatSessionDoc, ChatSessionDoc | null>('sessions to queue', async (sessions) => {
  const done = new Map<string, ChatSessionDoc>();
  await Promise.all(
    bySameStart(sessions).map(async (group) => {
      const queuedAt = clock.now();
      for (const queued of await transitionMany(group, 'queued', () => ({ queuedAt, agentId: null }))) done.set(String(queued._id), queued);
    }),
  );
  return sessions.map((s) => done.get(String(s._id)) ?? null);
});

type NewSession = {
  fields: Pick<
    ChatSessionDoc,
    'orgId' | 'channelId' | 'storeId' | 'visitorId' | 'visitorName' | 'customerId' | 'ownerId' | 'previousSessionId' | 'state' | 'transitions'
  >;
  openSessionId: mongoose.Types.ObjectId | null;
};

/**
 * New sessions stored and claimed on their visitors, gathered: one insert for the group, then per organisation one
 * write of the claims (each still conditional on the visitor's open session being the one read) and one read of
 * which claims held. A session whose claim lost (another first message of the same visitor won) is removed and
 * answered null, so its caller reads again and joins the winner.
 */
const createClaimedSession = inGroups<NewSession, ChatSessionDoc | null>('sessions to open', async (asks) => {
  const created = (await ChatSession.insertMany(asks.map((a) => a.fields))).map((doc) => doc.toObject() as ChatSessionDoc);
  const won = new Set<string>();
  const orgs = new Map<string, number[]>();
  asks.forEach((a, i) => orgs.set(String(a.fields.orgId), [...(orgs.get(String(a.fields.orgId)) ?? []), i]));
  await Promise.all(
    [...orgs.values()].map(async (indexes) => {
      const org = asks[indexes[0]!]!.fields.orgId;
      await ChatVisitor.bulkWrite(
        indexes.map((i) => ({
          updateOne: {
            filter: { _id: asks[i]!.fields.visitorId, orgId: org, openSessionId: asks[i]!.openSessionId },
            update: { $set: { openSessionId: created[i]!._id } },
          },
        })),
        { ordered: false },
      );
      const visitors = await ChatVisitor.find({ _id: { $in: indexes.map((i) => asks[i]!.fields.visitorId) }, orgId: org }, { openSessionId: 1 }).lean();
      for (const v of visitors) if (v.openSessionId) won.add(String(v.openSessionId));
      const lost = indexes.map((i) => created[i]!).filter((c) => !won.has(String(c._id)));
      if (lost.length) await ChatSession.deleteMany({ _id: { $in: lost.map((c) => c._id) }, orgId: org });
    }),
  );
  return created.map((c) => (won.has(String(c._id)) ? c : null));
});

type OpeningRead = { org: mongoose.Types.ObjectId; visitorId: mongoose.Types.ObjectId };
type Opening = { visitor: ChatVisitorDoc | null; latest: ChatSessionDoc | null };

/**
 * What opening needs about visitors, gathered: the visitors, and each one's latest session (the open one when it
 * runs, otherwise the one a new session follows). A group costs one read of the visitors and one of their sessions'
 * ids side by side (ids only: a returning customer may have many), then one read of the latest sessions if any.
 */
const readOpenings = inGroups<OpeningRead, Opening>('openings to read', async (asks) => {
  const found = new Map<string, Opening>();
  const orgs = new Map<string, { org: mongoose.Types.ObjectId; visitorIds: mongoose.Types.ObjectId[] }>();
  for (const ask of asks) {
    const entry = orgs.get(String(ask.org)) ?? { org: ask.org, visitorIds: [] };
    entry.visitorIds.push(ask.visitorId);
    orgs.set(String(ask.org), entry);
  }
  await Promise.all(
    [...orgs.values()].map(async ({ org, visitorIds }) => {
      const [visitors, sessions] = await Promise.all([
        ChatVisitor.find({ _id: { $in: visitorIds }, orgId: org }).lean<ChatVisitorDoc[]>(),
        ChatSession.find({ orgId: org, visitorId: { $in: visitorIds } }, { _id: 1, visitorId: 1, createdAt: 1 }).lean(),
      ]);
      const newest = new Map<string, { _id: mongoose.Types.ObjectId; createdAt: Date }>();
      for (const s of sessions) {
        const key = String(s.visitorId);
        const held = newest.get(key);
        const t = new Date(s.createdAt).getTime();
        if (!held || t > new Date(held.createdAt).getTime() || (t === new Date(held.createdAt).getTime() && String(s._id) > String(held._id)))
          newest.set(key, { _id: s._id, createdAt: s.createdAt });
      }
      const latest = newest.size ? await ChatSession.find({ _id: { $in: [...newest.values()].map((n) => n._id) }, orgId: org }).lean<ChatSessionDoc[]>() : [];
      const latestOf = new Map(latest.map((s) => [String(s.visitorId), s]));
      const visitorOf = new Map(visitors.map((v) => [String(v._id), v]));
      for (const id of visitorIds)
        found.set(`${String(org)}:${String(id)}`, { visitor: visitorOf.get(String(id)) ?? null, latest: latestOf.get(String(id)) ?? null });
    }),
  );
  return asks.map((ask) => found.get(`${String(ask.org)}:${String(ask.visitorId)}`) ?? { visitor: null, latest: null });
});

/** `fresh`: the session was just created here, so no message of it can exist yet and the repeat lookup is skipped (the unique index still decides). */
async function botSays(session: ChatSessionDoc, key: string, text: string, opts: { fresh?: boolean } = {}): Promise<ChatSessionDoc> {
  if (!text) return session;
  return (
    (await appendMessage(session, { sender: 'bot', senderId: String(session._id), clientId: key, text }, opts.fresh ? { checkDuplicate: false } : {}))
      .session ?? session
  );
}

/** The organisation's default wording, when a channel leaves a message empty. */
function wording(channel: ChatChannelDoc, field: 'welcomeMessage' | 'closingMessage' | 'offlineMessage'): string {
  return channel[field] || i18n.t(`chat.defaults.${field}`, { lng: 'zh-CN' });
}

const RUNNING: SessionState[] = ['bot', 'queued', 'serving'];

/**
 * The visitor's open session, or a new one: claimed on the visitor by one conditional update, so two first
 * messages arriving together open one session. A new session greets once, says when nobody is meant to be there,
 * and goes to the bot (when the channel has keyword answers) or straight to the queue.
 *
 * Opening is what a burst of new customers pays for, so its reads go side by side in one round trip (the visitor's
 * latest session, the visitor, the channel from a short cache) and nothing is read that the caller or an earlier
 * step already holds. `repeatOf`: a message already stored under the client id that asks for the session; looked up
 * only when a new session would follow an earlier one (a first session cannot have messages), and then returned
 * instead of opening anything.
 */
export async function ensureOpenSession(
  visitorId: string,
  orgId: string,
  opts: { channelId?: string; repeatOf?: () => Promise<ChatMessageDoc | null> } = {},
): Promise<{ session: ChatSessionDoc; started: boolean; repeated?: ChatMessageDoc }> {
  const org = toObjectId(orgId);
  const visitorKey = toObjectId(visitorId);
  // The latest session is the open one when it runs; otherwise it is the one the new session follows. A session
  // still `new` is either being set up or lost a race and is about to be removed: the visitor's claim decides.
  let [{ latest, visitor }] = await Promise.all([readOpenings({ org, visitorId: visitorKey }), opts.channelId ? chatChannel(org, opts.channelId) : null]);
  for (let attempt = 0; attempt < 5; attempt += 1) {
    if (attempt > 0) ({ latest, visitor } = await readOpenings({ org, visitorId: visitorKey }));
    if (latest && RUNNING.includes(latest.state)) return { session: latest, started: false };
    if (!visitor) throw new Error('visitor vanished');
    if (visitor.openSessionId) {
      const open =
        latest && String(latest._id) === String(visitor.openSessionId)
          ? latest
          : await ChatSession.findOne({ _id: visitor.openSessionId, orgId: org }).lean<ChatSessionDoc>();
      if (open && open.state !== 'closed') return { session: open, started: false };
    }
    if (attempt === 0 && latest && opts.repeatOf) {
      const repeated = await opts.repeatOf();
      if (repeated) return { session: latest, started: false, repeated };
    }
    const [channel, customer] = await Promise.all([
      chatChannel(org, visitor.channelId),
      visitor.customerId ? Customer.findOne({ _id: visitor.customerId, orgId: org }, { ownerId: 1 }).lean() : null,
    ]);
    if (!channel) throw new Error('channel vanished');
    const created = await createClaimedSession({
      fields: {
        orgId: org,
        channelId: channel._id,
        storeId: channel.storeId ?? null,
        visitorId: visitor._id,
        visitorName: visitor.name,
        customerId: visitor.customerId ?? null,
        ownerId: customer?.ownerId ?? null,
        previousSessionId: latest?._id ?? null,
        state: 'new',
        transitions: [{ state: 'new', at: clock.now(), by: null }],
      },
      openSessionId: visitor.openSessionId ?? null,
    });
    if (!created) continue;
    let session: ChatSessionDoc = created;
    const nobodyThere = async () => !withinBusinessHours(channel, clock.now(), (await chatSettings(org)).timezone) || !(await anyAgentOnline(org));
    // Side by side: the customer's timeline, the greeting, and whether anyone is there (cached per organisation).
    const [, greeted, nobody] = await Promise.all([
      session.customerId
        ? appendTimeline(systemContext(orgId), session.customerId, 'chat.state', { sessionId: String(session._id), state: 'new', from: null })
        : null,
      botSays(session, 'welcome', wording(channel, 'welcomeMessage'), { fresh: true }),
      nobodyThere(),
    ]);
    session = greeted;
    if (nobody) session = await botSays(session, 'offline', wording(channel, 'offlineMessage'), { fresh: true });
    if (channel.keywordAnswers.length) session = (await transition(session, 'bot')) ?? session;
    else session = await routeQueued(session, await queueNewSessions(session));
    return { session, started: true };
  }
  throw new Error('could not open a chat session');
}

export async function queueSession(session: ChatSessionDoc, opts: { by?: ServiceContext; note?: string } = {}): Promise<ChatSessionDoc> {
  return routeQueued(session, await transition(session, 'queued', { ...opts, set: { queuedAt: clock.now(), agentId: null } }));
}

/** After queueing (`queued`: null when the session had changed meanwhile): routes, and answers with the session as it is then. */
async function routeQueued(session: ChatSessionDoc, queued: ChatSessionDoc | null): Promise<ChatSessionDoc> {
  if (!queued) return (await ChatSession.findOne({ _id: session._id, orgId: session.orgId }).lean<ChatSessionDoc>()) ?? session;
  // Waits for the router's answer (runtime().chat.awaitingRoute), with the session as the router last saw it (null: not
  // yet): the one who queued it answers with that copy instead of reading the session again.
  const { awaitingRoute } = runtime().chat;
  const key = String(session._id);
  awaitingRoute.set(key, null);
  let seen: ChatSessionDoc | null | undefined;
  try {
    await routeQueue(String(session.orgId));
    seen = awaitingRoute.get(key);
  } finally {
    awaitingRoute.delete(key);
  }
  return seen ?? (await ChatSession.findOne({ _id: session._id, orgId: session.orgId }).lean<ChatSessionDoc>()) ?? queued;
}

/**
 * Candidates in the channel's routing order: agents skilled in one of the customer's tags first, then the store's
 * agents when the channel asks for it, then the least busy or the longest idle.
 */
function routingOrder(candidates: AgentPresenceDoc[], channel: ChatChannelDoc, session: ChatSessionDoc, customerTags: Set<string>): AgentPresenceDoc[] {
  const store = String(session.storeId ?? channel.storeId ?? '');
  const storeRank = (a: AgentPresenceDoc) => ((channel.routeByStore || session.preferStore) && store && String(a.storeId ?? '') === store ? 0 : 1);
  const skillRank = (a: AgentPresenceDoc) => ((a.skillTagIds ?? []).some((tag) => customerTags.has(String(tag))) ? 0 : 1);
  return [...candidates].sort(
    (a, b) =>
      skillRank(a) - skillRank(b) ||
      storeRank(a) - storeRank(b) ||
      (channel.routing === 'least_busy' ? a.activeSessions - b.activeSessions : 0) ||
      new Date(a.lastAssignedAt).getTime() - new Date(b.lastAssignedAt).getTime(),
  );
}

export async function assignSession(
  session: ChatSessionDoc,
  agentId: mongoose.Types.ObjectId,
  opts: { by?: ServiceContext; note?: string } = {},
): Promise<ChatSessionDoc | null> {
  const assigned = await transition(session, 'serving', { ...opts, set: { agentId, assignedAt: clock.now() } });
  if (!assigned) await releaseAgentSlot(session.orgId, agentId, session._id);
  return assigned;
}

/**
 * The router's assignments of one pass in one go: one write claiming each agent's slots for all their sessions
 * (each claim conditional on room under the cap, all or none per agent), one guarded write moving the sessions, and
 * a read after each. An agent whose claim was refused as a whole (they picked from the queue meanwhile) is claimed
 * slot by slot, so the cap still decides each session; a session that left the queue meanwhile gives its slot back.
 * Returns the sessions now served.
 */
async function assignPlanned(
  org: mongoose.Types.ObjectId,
  groups: { agentId: mongoose.Types.ObjectId; sessions: ChatSessionDoc[] }[],
  max: number,
): Promise<ChatSessionDoc[]> {
  const held = await claimAgentSlotsOfMany(
    org,
    groups.map((g) => ({ staffId: g.agentId, sessionIds: g.sessions.map((s) => s._id) })),
    max,
    { onlineOnly: true },
  );
  const agentOf = new Map<string, mongoose.Types.ObjectId>();
  await Promise.all(
    groups.map(async ({ agentId, sessions }) => {
      if (held.has(String(agentId))) for (const session of sessions) agentOf.set(String(session._id), agentId);
      else if (sessions.length > 1)
        for (const session of sessions)
          if (await claimAgentSlot(org, agentId, session._id, max, { onlineOnly: true })) agentOf.set(String(session._id), agentId);
    }),
  );
  const claimed = groups.flatMap((g) => g.sessions).filter((s) => agentOf.has(String(s._id)));
  const assignedAt = clock.now();
  const assigned = await transitionMany(
    claimed,
    'serving',
    (s) => ({ agentId: agentOf.get(String(s._id))!, assignedAt }),
    (s) => String(s.agentId) === String(agentOf.get(String(s._id))),
  );
  const mine = new Set(assigned.map((s) => String(s._id)));
  await Promise.all(claimed.filter((s) => !mine.has(String(s._id))).map((s) => releaseAgentSlot(org, agentOf.get(String(s._id))!, s._id)));
  return assigned;
}

/**
 * Gives queued sessions, oldest first, to online agents with a live console and room under their cap, by each
 * channel's routing; channels set to manual wait for an agent to pick. Every caller (a session queued, one closed,
 * an agent online or back) only wakes the organisation's one router (routing-loop.ts) and waits for its next pass.
 */
export function routeQueue(orgId: string): Promise<number> {
  return wakeRouter(orgId, routePass);
}

/** Sessions looked at per pass; a pass that assigned and saw a full batch is followed by another. */
const ROUTING_BATCH = 200;

async function routePass(orgId: string): Promise<{ assigned: number; more: boolean }> {
  const org = toObjectId(orgId);
  const none = { assigned: 0, more: false };
  const { maxConcurrentSessions: max } = await chatSettings(org);
  // The queue, the live consoles and the agents with room, read side by side (one round trip, not three).
  const [queued, live, available] = await Promise.all([
    ChatSession.find({ orgId: org, state: 'queued' }).sort({ queuedAt: 1, _id: 1 }).limit(ROUTING_BATCH).lean<ChatSessionDoc[]>(),
    liveStaffIds(org),
    AgentPresence.find({ orgId: org, status: 'online', routable: { $ne: false }, activeSessions: { $lt: max } }).lean<AgentPresenceDoc[]>(),
  ]);
  if (!queued.length) return none;
  const liveIds = new Set(live.map(String));
  let candidates = available.filter((a) => liveIds.has(String(a.staffId)));
  if (!candidates.length) return none;
  const customerIds = [...new Set(queued.filter((s) => s.customerId).map((s) => String(s.customerId)))].map((id) => toObjectId(id));
  const [channelDocs, customers] = await Promise.all([
    ChatChannel.find({ orgId: org, _id: { $in: [...new Set(queued.map((s) => String(s.channelId)))].map((id) => toObjectId(id)) } }).lean<ChatChannelDoc[]>(),
    customerIds.length ? Customer.find({ orgId: org, _id: { $in: customerIds } }, { tagIds: 1 }).lean() : [],
  ]);
  const channels = new Map(channelDocs.map((c) => [String(c._id), c]));
  const tagsOf = new Map(customers.map((c) => [String(c._id), new Set((c.tagIds ?? []).map(String))]));
  // Planned in memory first (the loads this pass would give), then carried out together (assignPlanned). A claim
  // refused meanwhile (an agent picked from the queue) only leaves that session for the next pass.
  const plan: { session: ChatSessionDoc; agent: AgentPresenceDoc }[] = [];
  for (const session of queued) {
    if (!candidates.length) break;
    const channel = channels.get(String(session.channelId));
    if (!channel || channel.routing === 'manual') continue;
    const reachable = candidates.filter((c) => !c.storeOnly || (session.storeId && String(c.storeId) === String(session.storeId)));
    const agent = routingOrder(reachable, channel, session, tagsOf.get(String(session.customerId)) ?? new Set())[0];
    if (!agent) continue;
    agent.activeSessions += 1;
    agent.lastAssignedAt = new Date(clock.now().getTime() + plan.length);
    if (agent.activeSessions >= max) candidates = candidates.filter((c) => c !== agent);
    plan.push({ session, agent });
  }
  // Carried out together: one claim per agent for all of that agent's sessions, in one write (see assignPlanned).
  const perAgent = new Map<string, { agentId: mongoose.Types.ObjectId; sessions: ChatSessionDoc[] }>();
  for (const { session, agent } of plan) {
    const key = String(agent.staffId);
    if (!perAgent.has(key)) perAgent.set(key, { agentId: agent.staffId, sessions: [] });
    perAgent.get(key)!.sessions.push(session);
  }
  const served = plan.length ? await assignPlanned(org, [...perAgent.values()], max) : [];
  const { awaitingRoute } = runtime().chat;
  for (const session of served) if (awaitingRoute.has(String(session._id))) awaitingRoute.set(String(session._id), session);
  const assigned = served.length;
  const refused = plan.length - served.length;
  // Those still waiting as this pass saw them (no agent for them now): their queuers answer with this copy.
  for (const session of queued)
    if (awaitingRoute.get(String(session._id)) === null && !plan.some((p) => p.session === session)) awaitingRoute.set(String(session._id), session);
  if (refused) return { assigned, more: true };
  return { assigned, more: assigned > 0 && queued.length === ROUTING_BATCH };
}

/**
 * 1 for the oldest queued session of the organisation. Every session queued is pushed to its customer with its
 * position, so a burst asks hundreds at once: the questions that arrive while one is answered are answered together
 * by one read of the queue's times (one count when alone).
 */
export function queuePosition(session: ChatSessionDoc): Promise<number | null> {
  if (session.state !== 'queued' || !session.queuedAt) return Promise.resolve(null);
  const { positionAsks } = runtime().chat;
  const key = String(session.orgId);
  let org = positionAsks.get(key);
  if (!org) positionAsks.set(key, (org = { running: false, asks: [] }));
  const answered = new Promise<number>((resolve, reject) => org.asks.push({ queuedAt: new Date(session.queuedAt!).getTime(), resolve, reject }));
  if (!org.running) {
    org.running = true;
    setImmediate(() => void answerPositions(session.orgId, org, positionAsks));
  }
  return answered;
}

async function answerPositions(
  orgId: mongoose.Types.ObjectId,
  org: { running: boolean; asks: PositionAsk[] },
  positionAsks: ChatRuntime['positionAsks'],
): Promise<void> {
  while (org.asks.length) {
    const asks = org.asks;
    org.asks = [];
    try {
      if (asks.length === 1) {
        const ask = asks[0]!;
        ask.resolve((await ChatSession.countDocuments({ orgId, state: 'queued', queuedAt: { $lt: new Date(ask.queuedAt) } })) + 1);
        continue;
      }
      const latest = Math.max(...asks.map((a) => a.queuedAt));
      const earlier = (await ChatSession.find({ orgId, state: 'queued', queuedAt: { $lt: new Date(latest) } }, { queuedAt: 1 }).lean()).map((s) =>
        new Date(s.queuedAt!).getTime(),
      );
      earlier.sort((a, b) => a - b);
      for (const ask of asks) ask.resolve(countBelow(earlier, ask.queuedAt) + 1);
    } catch (err) {
      for (const ask of asks) ask.reject(err);
    }
  }
  org.running = false;
  if (positionAsks.get(String(orgId)) === org) positionAsks.delete(String(orgId));
}

/** How many of the sorted times are below `t`. */
function countBelow(sorted: number[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Closes a session once: the agent's slot frees, the visitor may start again, the closing message asks for a rating. */
export async function closeSessionDoc(session: ChatSessionDoc, opts: { by?: ServiceContext; disposition: string }): Promise<ChatSessionDoc | null> {
  // Guarded on the agent too: a close that raced a transfer must not free the wrong agent's slot.
  const closed = await transition(session, 'closed', {
    ...(opts.by ? { by: opts.by } : {}),
    set: { closedAt: clock.now(), disposition: opts.disposition },
    guard: { agentId: session.agentId ?? null },
  });
  if (!closed) return null;
  await releaseAgentSlot(session.orgId, session.agentId, session._id);
  await ChatVisitor.updateOne({ _id: session.visitorId, orgId: session.orgId, openSessionId: session._id }, { $set: { openSessionId: null } });
  const channel = await chatChannel(session.orgId, session.channelId);
  if (channel) await botSays(closed, 'closing', wording(channel, 'closingMessage'));
  await routeQueue(String(session.orgId));
  return closed;
}
