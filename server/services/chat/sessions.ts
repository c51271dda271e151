import { ChatChannel, ChatVisitor, type ChatChannelDoc } from '../../models/chat-channel.js';
import { AgentPresence, ChatSession, type AgentPresenceDoc, type ChatSessionDoc, type SessionState } from '../../models/chat-session.js';
import { Organization } from '../../models/organization.js';
import { Customer } from '../../models/customer.js';
import { effectiveSettings, type OrgSettings } from '../settings/org-settings.js';
import { domainEvents } from '../events.js';
import { appendTimeline } from '../customers/timeline.js';
import { systemContext, type ServiceContext } from '../context.js';
import { toObjectId } from '../ids.js';
import { appendMessage } from './messages.js';
import { withinBusinessHours } from './channels.js';
import { i18n } from '../../i18n/index.js';
import { clock } from '../../clock.js';
import { mongoose } from '../../db/connect.js';
import { claimAgentSlot, releaseAgentSlot } from './slots.js';
import { anyAgentOnline, liveStaffIds } from './presence.js';
import { wakeRouter } from './routing-loop.js';

const SETTINGS_TTL_MS = 5_000;
const settingsCache = new Map<string, { at: number; settings: Promise<OrgSettings> }>();
domainEvents.onEvent('org.settings_changed', ({ orgId }) => settingsCache.delete(orgId));

/**
 * The organisation's chat settings (reply window, concurrent sessions, rate limit, timezone). Every chat message
 * needs them, so they are kept for a few seconds; a change in this process applies at once, in others within 5 s.
 */
export async function chatSettings(orgId: mongoose.Types.ObjectId | string): Promise<OrgSettings> {
  const key = String(orgId);
  const cached = settingsCache.get(key);
  if (cached && Date.now() - cached.at < SETTINGS_TTL_MS) return cached.settings;
  const settings = Organization.findById(toObjectId(orgId), { settings: 1 })
    .lean()
    .then((org) => effectiveSettings(org?.settings));
  settingsCache.set(key, { at: Date.now(), settings });
  settings.catch(() => settingsCache.delete(key));
  return settings;
}

/** Tests change settings behind the services' back. */
export function forgetChatSettings(): void {
  settingsCache.clear();
}

/**
 * Tells the realtime layer a session changed, with the session as written (no second read per push).
 * `onlyServing`: the change matters to those serving it (a new customer message resets the reply window), not to
 * the whole organisation's queue watchers nor to the customer, who has the acknowledgement.
 */
export function announce(session: ChatSessionDoc, previousAgentId?: mongoose.Types.ObjectId | null, opts: { onlyServing?: boolean } = {}): void {
  domainEvents.emitEvent('chat.session', {
    session,
    ...(opts.onlyServing ? { onlyServing: true } : {}),
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
    await appendTimeline(opts.by ?? systemContext(String(session.orgId)), updated.customerId, 'chat.state', { sessionId: String(updated._id), state: to, from: session.state });
  }
  announce(updated, opts.set && 'agentId' in opts.set ? session.agentId ?? null : undefined);
  return updated;
}

async function botSays(session: ChatSessionDoc, key: string, text: string): Promise<ChatSessionDoc> {
  if (!text) return session;
  return (await appendMessage(session, { sender: 'bot', senderId: String(session._id), clientId: key, text })).session ?? session;
}

/** The organisation's default wording, when a channel leaves a message empty. */
function wording(channel: ChatChannelDoc, field: 'welcomeMessage' | 'closingMessage' | 'offlineMessage'): string {
  return channel[field] || i18n.t(`chat.defaults.${field}`, { lng: 'zh-CN' });
}

/**
 * The visitor's open session, or a new one: claimed on the visitor by one conditional update, so two first
 * messages arriving together open one session. A new session greets once, says when nobody is meant to be there,
 * and goes to the bot (when the channel has keyword answers) or straight to the queue.
 */
export async function ensureOpenSession(visitorId: string, orgId: string): Promise<{ session: ChatSessionDoc; started: boolean }> {
  const org = toObjectId(orgId);
  // The common case in one read: a session past its start. A session still `new` is either being set up or lost a
  // race and is about to be removed, so it goes the careful way below.
  const running = await ChatSession.findOne({ orgId: org, visitorId: toObjectId(visitorId), state: { $in: ['bot', 'queued', 'serving'] } })
    .sort({ createdAt: -1 })
    .lean<ChatSessionDoc>();
  if (running) return { session: running, started: false };
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const visitor = await ChatVisitor.findOne({ _id: toObjectId(visitorId), orgId: org }).lean();
    if (!visitor) throw new Error('visitor vanished');
    if (visitor.openSessionId) {
      const open = await ChatSession.findOne({ _id: visitor.openSessionId, orgId: org }).lean<ChatSessionDoc>();
      if (open && open.state !== 'closed') return { session: open, started: false };
    }
    const channel = await ChatChannel.findOne({ _id: visitor.channelId, orgId: org }).lean<ChatChannelDoc>();
    if (!channel) throw new Error('channel vanished');
    const previous = await ChatSession.findOne({ orgId: org, visitorId: visitor._id }).sort({ createdAt: -1 }).lean<ChatSessionDoc>();
    const customer = visitor.customerId ? await Customer.findOne({ _id: visitor.customerId, orgId: org }, { ownerId: 1 }).lean() : null;
    const created = await ChatSession.create({
      orgId: org,
      channelId: channel._id,
      storeId: channel.storeId ?? null,
      visitorId: visitor._id,
      visitorName: visitor.name,
      customerId: visitor.customerId ?? null,
      ownerId: customer?.ownerId ?? null,
      previousSessionId: previous?._id ?? null,
      state: 'new',
      transitions: [{ state: 'new', at: clock.now() }],
    });
    const claimed = await ChatVisitor.updateOne({ _id: visitor._id, orgId: org, openSessionId: visitor.openSessionId ?? null }, { $set: { openSessionId: created._id } });
    if (claimed.modifiedCount !== 1) {
      await ChatSession.deleteOne({ _id: created._id, orgId: org });
      continue;
    }
    let session: ChatSessionDoc = created.toObject();
    if (session.customerId) await appendTimeline(systemContext(orgId), session.customerId, 'chat.state', { sessionId: String(session._id), state: 'new', from: null });
    session = await botSays(session, 'welcome', wording(channel, 'welcomeMessage'));
    const settings = await chatSettings(org);
    const nobodyThere = !withinBusinessHours(channel, clock.now(), settings.timezone) || !(await anyAgentOnline(org));
    if (nobodyThere) session = await botSays(session, 'offline', wording(channel, 'offlineMessage'));
    if (channel.keywordAnswers.length) session = (await transition(session, 'bot')) ?? session;
    else session = await queueSession(session);
    return { session, started: true };
  }
  throw new Error('could not open a chat session');
}

export async function queueSession(session: ChatSessionDoc, opts: { by?: ServiceContext; note?: string } = {}): Promise<ChatSessionDoc> {
  const queued = await transition(session, 'queued', { ...opts, set: { queuedAt: clock.now(), agentId: null } });
  if (!queued) return (await ChatSession.findOne({ _id: session._id, orgId: session.orgId }).lean<ChatSessionDoc>()) ?? session;
  await routeQueue(String(session.orgId));
  return (await ChatSession.findOne({ _id: session._id, orgId: session.orgId }).lean<ChatSessionDoc>()) ?? queued;
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

export async function assignSession(session: ChatSessionDoc, agentId: mongoose.Types.ObjectId, opts: { by?: ServiceContext; note?: string } = {}): Promise<ChatSessionDoc | null> {
  const assigned = await transition(session, 'serving', { ...opts, set: { agentId, assignedAt: clock.now() } });
  if (!assigned) await releaseAgentSlot(session.orgId, agentId, session._id);
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
/** Assignments carried out at once within a pass. */
const ROUTING_PARALLEL = 20;

async function routePass(orgId: string): Promise<{ assigned: number; more: boolean }> {
  const org = toObjectId(orgId);
  const none = { assigned: 0, more: false };
  const { maxConcurrentSessions: max } = await chatSettings(org);
  const queued = await ChatSession.find({ orgId: org, state: 'queued' }).sort({ queuedAt: 1, _id: 1 }).limit(ROUTING_BATCH).lean<ChatSessionDoc[]>();
  if (!queued.length) return none;
  const live = await liveStaffIds(org);
  if (!live.length) return none;
  let candidates = await AgentPresence.find({ orgId: org, status: 'online', routable: { $ne: false }, staffId: { $in: live }, activeSessions: { $lt: max } }).lean<AgentPresenceDoc[]>();
  if (!candidates.length) return none;
  const channels = new Map((await ChatChannel.find({ orgId: org, _id: { $in: [...new Set(queued.map((s) => String(s.channelId)))].map((id) => toObjectId(id)) } }).lean<ChatChannelDoc[]>()).map((c) => [String(c._id), c]));
  const customerIds = [...new Set(queued.filter((s) => s.customerId).map((s) => String(s.customerId)))].map((id) => toObjectId(id));
  const tagsOf = new Map((customerIds.length ? await Customer.find({ orgId: org, _id: { $in: customerIds } }, { tagIds: 1 }).lean() : []).map((c) => [String(c._id), new Set((c.tagIds ?? []).map(String))]));
  // Planned in memory first (the loads this pass would give), then carried out a few at a time in parallel: the
  // database round trips overlap instead of adding up. A claim refused meanwhile (an agent picked from the queue)
  // only leaves that session for the next pass.
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
  let assigned = 0;
  let refused = 0;
  for (let i = 0; i < plan.length; i += ROUTING_PARALLEL) {
    await Promise.all(
      plan.slice(i, i + ROUTING_PARALLEL).map(async ({ session, agent }) => {
        // The conditional claim keeps the cap against an agent picking from the queue or a transfer at the same time.
        if (!(await claimAgentSlot(org, agent.staffId, session._id, max, { onlineOnly: true }))) {
          refused += 1;
          return;
        }
        if (await assignSession(session, agent.staffId)) assigned += 1;
      }),
    );
  }
  if (refused) return { assigned, more: true };
  return { assigned, more: assigned > 0 && queued.length === ROUTING_BATCH };
}

/** 1 for the oldest queued session of the organisation. */
export async function queuePosition(session: ChatSessionDoc): Promise<number | null> {
  if (session.state !== 'queued' || !session.queuedAt) return null;
  return (await ChatSession.countDocuments({ orgId: session.orgId, state: 'queued', queuedAt: { $lt: session.queuedAt } })) + 1;
}

/** Closes a session once: the agent's slot frees, the visitor may start again, the closing message asks for a rating. */
export async function closeSessionDoc(session: ChatSessionDoc, opts: { by?: ServiceContext; disposition: string }): Promise<ChatSessionDoc | null> {
  // Guarded on the agent too: a close that raced a transfer must not free the wrong agent's slot.
  const closed = await transition(session, 'closed', { ...(opts.by ? { by: opts.by } : {}), set: { closedAt: clock.now(), disposition: opts.disposition }, guard: { agentId: session.agentId ?? null } });
  if (!closed) return null;
  await releaseAgentSlot(session.orgId, session.agentId, session._id);
  await ChatVisitor.updateOne({ _id: session.visitorId, orgId: session.orgId, openSessionId: session._id }, { $set: { openSessionId: null } });
  const channel = await ChatChannel.findOne({ _id: session.channelId, orgId: session.orgId }).lean<ChatChannelDoc>();
  if (channel) await botSays(closed, 'closing', wording(channel, 'closingMessage'));
  await routeQueue(String(session.orgId));
  return closed;
}
