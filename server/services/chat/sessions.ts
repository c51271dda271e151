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
    const nobodyThere = !withinBusinessHours(channel, clock.now(), settings.timezone) || !(await AgentPresence.exists({ orgId: org, status: 'online' }));
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

/** Takes one session slot of an agent if they are under the cap (one conditional increment: the cap holds under races). */
export async function claimAgentSlot(orgId: mongoose.Types.ObjectId, staffId: mongoose.Types.ObjectId, max: number, opts: { onlineOnly: boolean }): Promise<boolean> {
  const result = await AgentPresence.updateOne(
    { orgId, staffId, activeSessions: { $lt: max }, ...(opts.onlineOnly ? { status: 'online' } : {}) },
    { $inc: { activeSessions: 1 }, $set: { lastAssignedAt: clock.now() } },
  );
  return result.modifiedCount === 1;
}

export async function releaseAgentSlot(orgId: mongoose.Types.ObjectId, staffId: mongoose.Types.ObjectId | null | undefined): Promise<void> {
  if (!staffId) return;
  await AgentPresence.updateOne({ orgId, staffId, activeSessions: { $gt: 0 } }, { $inc: { activeSessions: -1 } });
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
  if (!assigned) await releaseAgentSlot(session.orgId, agentId);
  return assigned;
}

/**
 * Gives queued sessions, oldest first, to online agents under their cap, by each channel's routing; channels set
 * to manual wait for an agent to pick. Safe to call from anywhere and from several processes: every step is a
 * conditional update.
 */
export async function routeQueue(orgId: string): Promise<number> {
  let assigned = 0;
  // A pass that lost a race gave its slot back: the sessions it skipped meanwhile may fit now, so route again.
  for (let pass = 0; pass < 3; pass += 1) {
    const result = await routePass(orgId);
    assigned += result.assigned;
    if (!result.slotReturned) break;
  }
  return assigned;
}

/** Agents count as present only while a console of theirs has been heard from recently (a crashed tab stops counting). */
export const PRESENCE_STALE_MS = 90_000;

async function routePass(orgId: string): Promise<{ assigned: number; slotReturned: boolean }> {
  const org = toObjectId(orgId);
  const { maxConcurrentSessions } = await chatSettings(org);
  const queued = await ChatSession.find({ orgId: org, state: 'queued' }).sort({ queuedAt: 1, _id: 1 }).limit(100).lean<ChatSessionDoc[]>();
  if (!queued.length) return { assigned: 0, slotReturned: false };
  const channels = new Map((await ChatChannel.find({ orgId: org, _id: { $in: [...new Set(queued.map((s) => String(s.channelId)))].map((id) => toObjectId(id)) } }).lean<ChatChannelDoc[]>()).map((c) => [String(c._id), c]));
  let assigned = 0;
  let slotReturned = false;
  for (const session of queued) {
    const channel = channels.get(String(session.channelId));
    if (!channel || channel.routing === 'manual') continue;
    const seenSince = new Date(clock.now().getTime() - PRESENCE_STALE_MS);
    const candidates = await AgentPresence.find({ orgId: org, status: 'online', routable: { $ne: false }, seenAt: { $gte: seenSince }, activeSessions: { $lt: maxConcurrentSessions } }).lean<AgentPresenceDoc[]>();
    if (!candidates.length) break;
    const customer = session.customerId ? await Customer.findOne({ _id: session.customerId, orgId: org }, { tagIds: 1 }).lean() : null;
    const reachable = candidates.filter((c) => !c.storeOnly || (session.storeId && String(c.storeId) === String(session.storeId)));
    for (const candidate of routingOrder(reachable, channel, session, new Set((customer?.tagIds ?? []).map(String)))) {
      if (!(await claimAgentSlot(org, candidate.staffId, maxConcurrentSessions, { onlineOnly: true }))) continue;
      if (await assignSession(session, candidate.staffId)) assigned += 1;
      else slotReturned = true;
      break;
    }
  }
  return { assigned, slotReturned };
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
  await releaseAgentSlot(session.orgId, session.agentId);
  await ChatVisitor.updateOne({ _id: session.visitorId, orgId: session.orgId, openSessionId: session._id }, { $set: { openSessionId: null } });
  const channel = await ChatChannel.findOne({ _id: session.channelId, orgId: session.orgId }).lean<ChatChannelDoc>();
  if (channel) await botSays(closed, 'closing', wording(channel, 'closingMessage'));
  await routeQueue(String(session.orgId));
  return closed;
}
