import { AgentPresence, ChatMessage, ChatSession, type ChatMessageDoc, type ChatSessionDoc, type PresenceState } from '../../models/chat-session.js';
import { ChatVisitor, type ChatVisitorDoc } from '../../models/chat-channel.js';
import { Customer, type CustomerDoc } from '../../models/customer.js';
import { Staff } from '../../models/staff.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { authorize, can, scopeOf } from '../../policies/permissions.js';
import { scopeFilter, rolesFor } from '../../policies/scopes.js';
import { assertSessionRule, mayReceiveSession } from '../../policies/record-rules.js';
import type { ServiceContext } from '../context.js';
import { toObjectId } from '../ids.js';
import { imageForMessage, storeChatImage, type StoredImage } from './images.js';
import type { PictureInput } from '../media/pictures.js';
import { appendMessage, dedupeKeyOf, latestMessages, messagesAfter, visibleNumberAt } from './messages.js';
import { announce, assignSession, chatSettings, closeSessionDoc, queuePosition, routeQueue, transition } from './sessions.js';
import { claimAgentSlot, releaseAgentSlot } from './slots.js';
import { dropConsole, effectiveStatus, forgetAgentsOnline, liveStaffIds, refreshConsole } from './presence.js';
import { replyWindowOf } from '../../domain/reply-window.js';
import { addServedCustomer, tagServedCustomer } from '../customers/customers.js';
import { customerScopeFilter } from '../customers/visibility.js';
import { listTagGroups, tagNamesFor } from '../tags/tags.js';
import { TimelineEvent } from '../../models/timeline-event.js';
import { Tag } from '../../models/tag.js';
import { Store } from '../../models/store.js';
import { clock } from '../../clock.js';
import { mongoose } from '../../db/connect.js';
import { REPLY_WINDOW_MESSAGES_MAX } from '../../domain/settings.js';
import { upsertRetryingOnce } from '../mongo-errors.js';

/** Sessions within the actor's reach: the organisation's for agents and admins, the store's for managers. */
function sessionScope(ctx: ServiceContext): Record<string, unknown> {
  return scopeFilter(ctx, 'chat.serve');
}

export async function sessionInReach(ctx: ServiceContext, sessionId: string): Promise<ChatSessionDoc> {
  const session = await ChatSession.findOne({ ...sessionScope(ctx), _id: toObjectId(sessionId, 'session') }).lean<ChatSessionDoc>();
  if (!session) throw new NotFoundError('No such session');
  return session;
}

async function ensurePresence(ctx: ServiceContext): Promise<void> {
  // Presence makes a person routable: only those who serve chats may have one.
  authorize(ctx.actor, 'chat.serve');
  const orgId = toObjectId(ctx.orgId);
  await upsertRetryingOnce(() =>
    AgentPresence.updateOne(
      { orgId, staffId: toObjectId(ctx.actor.id) },
      {
        $setOnInsert: {
          orgId,
          staffId: toObjectId(ctx.actor.id),
          storeId: ctx.actor.storeId ? toObjectId(ctx.actor.storeId) : null,
          status: 'offline',
          activeSessions: 0,
          lastAssignedAt: new Date(0),
        },
        // Routing gives sessions only to those who serve beyond their own customers, and a store's managers only that store's.
        $set: { routable: scopeOf(ctx.actor, 'chat.serve') !== 'own', storeOnly: scopeOf(ctx.actor, 'chat.serve') === 'store' },
      },
      { upsert: true },
    ),
  );
}

async function unreadOf(session: ChatSessionDoc): Promise<number> {
  return ChatMessage.countDocuments({ orgId: session.orgId, sessionId: session._id, sender: 'customer', seq: { $gt: session.agentReadSeq } });
}

export async function visitorNames(orgId: mongoose.Types.ObjectId, sessions: ChatSessionDoc[]): Promise<Map<string, string>> {
  const visitors = await ChatVisitor.find({ orgId, _id: { $in: sessions.map((s) => s.visitorId) } }, { name: 1 }).lean();
  return new Map(visitors.map((v) => [String(v._id), v.name]));
}

/** The console's lists: my sessions (with unread counts), the queue oldest first, my presence and load. */
export async function agentOverview(ctx: ServiceContext) {
  const scope = sessionScope(ctx);
  await ensurePresence(ctx);
  const me = toObjectId(ctx.actor.id);
  const [mine, queue, presence, settings] = await Promise.all([
    ChatSession.find({ ...scope, agentId: me, state: 'serving' })
      .sort({ lastMessageAt: -1 })
      .lean<ChatSessionDoc[]>(),
    ChatSession.find({ ...scope, state: 'queued' })
      .sort({ queuedAt: 1, _id: 1 })
      .limit(100)
      .lean<ChatSessionDoc[]>(),
    AgentPresence.findOne({ orgId: toObjectId(ctx.orgId), staffId: me }).lean(),
    chatSettings(ctx.orgId),
  ]);
  const names = await visitorNames(toObjectId(ctx.orgId), [...mine, ...queue]);
  const unread = await Promise.all(mine.map(unreadOf));
  return {
    mine,
    queue,
    names,
    unread,
    presence: presence?.status ?? 'offline',
    activeSessions: presence?.activeSessions ?? 0,
    maxSessions: settings.maxConcurrentSessions,
  };
}

/** A conversation opened in the console: the session, its latest messages (notes included), the customer beside it. */
export async function openConversation(ctx: ServiceContext, sessionId: string) {
  const session = await sessionInReach(ctx, sessionId);
  const [messages, visitor, settings, agent] = await Promise.all([
    latestMessages(session, { includeInternal: true, limit: 200 }),
    ChatVisitor.findOne({ _id: session.visitorId, orgId: session.orgId }).lean<ChatVisitorDoc>(),
    chatSettings(session.orgId),
    session.agentId ? Staff.findOne({ _id: session.agentId, orgId: session.orgId }, { realName: 1 }).lean() : null,
  ]);
  const customer = session.customerId ? await Customer.findOne({ _id: session.customerId, orgId: session.orgId, erasedAt: null }).lean<CustomerDoc>() : null;
  const earlier = await earlierSessions(session);
  return {
    session,
    messages,
    visitor: visitor!,
    customer,
    earlier,
    agentName: agent?.realName ?? null,
    replyWindow: replyWindowOf(session, settings, clock.now()),
    queuePosition: await queuePosition(session),
  };
}

/**
 * The customer's other conversations, newest first: those of this device and, once the visitor is a known customer,
 * those from any other device or channel, so the history follows the person and not the browser.
 */
export async function earlierSessions(session: Pick<ChatSessionDoc, '_id' | 'orgId' | 'visitorId' | 'customerId'>) {
  const whose = session.customerId ? { $or: [{ visitorId: session.visitorId }, { customerId: session.customerId }] } : { visitorId: session.visitorId };
  return ChatSession.find({ orgId: session.orgId, _id: { $ne: session._id }, ...whose }, { createdAt: 1, closedAt: 1, rating: 1, disposition: 1 })
    .sort({ createdAt: -1 })
    .limit(10)
    .lean<Pick<ChatSessionDoc, '_id' | 'createdAt' | 'closedAt' | 'rating' | 'disposition'>[]>();
}

export async function syncAgent(
  ctx: ServiceContext,
  input: { sessionId: string; afterSeq: number },
): Promise<{ session: ChatSessionDoc; messages: ChatMessageDoc[] }> {
  const session = await sessionInReach(ctx, input.sessionId);
  return { session, messages: await messagesAfter(session, input.afterSeq, { includeInternal: true }) };
}

/**
 * An agent's message: stored once per client id; outside the reply window (DOMAIN: 5 messages within 48 hours of
 * the customer's latest message by default) it is refused with the reason. Internal notes are never limited.
 * A repeat (same client id) is acknowledged with the stored message and never takes a second place, even while the
 * first copy is still in flight (in this process or another): the place is taken under the message's key.
 */
/** A picture an agent uploads to send in a conversation (then `sendAgentMessage` with its id). */
export async function storeAgentImage(ctx: ServiceContext, input: PictureInput): Promise<StoredImage> {
  authorize(ctx.actor, 'chat.serve');
  return storeChatImage({ orgId: ctx.orgId, staffId: ctx.actor.id }, input);
}

export async function sendAgentMessage(
  ctx: ServiceContext,
  input: { sessionId: string; clientId: string; text: string; internal: boolean; imageId?: string | undefined },
): Promise<{ message: ChatMessageDoc; session: ChatSessionDoc }> {
  const session = await sessionInReach(ctx, input.sessionId);
  // Only a picture this agent uploaded; it travels like text (reply window, order, repeats).
  const image = input.imageId ? await imageForMessage({ orgId: ctx.orgId, staffId: ctx.actor.id }, input.imageId) : null;
  const message = {
    sender: 'agent' as const,
    senderId: ctx.actor.id,
    agentId: toObjectId(ctx.actor.id),
    clientId: input.clientId,
    text: input.text,
    image,
    internal: input.internal,
  };
  const key = dedupeKeyOf(message);
  const askedAt = clock.now();
  const place = input.internal ? 'none' : await takeReplyPlace(ctx, session, key);
  if (typeof place === 'object') return place;
  // Repeats meet under the unique index on the message's key, so no read is spent looking for one first.
  const appended = await appendMessage(session, message, { checkDuplicate: false });
  if (appended.duplicate) {
    // Stored before this place was asked for (an older message, whose place was never recorded under its key): the
    // place just taken goes back. A copy stored after it (one that found the place held) keeps it: it is its place.
    if (place === 'taken' && appended.message.createdAt < askedAt)
      await ChatSession.updateOne(
        { _id: session._id, orgId: session.orgId, replyPlaceKeys: key, agentMessagesSinceCustomer: { $gt: 0 } },
        { $inc: { agentMessagesSinceCustomer: -1 }, $pull: { replyPlaceKeys: key } },
      );
    return { message: appended.message, session: (await ChatSession.findOne({ _id: session._id, orgId: session.orgId }).lean<ChatSessionDoc>()) ?? session };
  }
  const current = appended.session ?? (await ChatSession.findOne({ _id: session._id, orgId: session.orgId }).lean<ChatSessionDoc>())!;
  announce(current);
  return { message: appended.message, session: current };
}

/**
 * A place in the reply window for the message with this key, taken in one conditional update that also records the
 * key: `taken` (a new place), `held` (a copy of this message took it already and is not stored yet), or the stored
 * message when this is a repeat. Anything else is refused with the window's reason.
 */
async function takeReplyPlace(
  ctx: ServiceContext,
  session: ChatSessionDoc,
  key: string,
): Promise<'taken' | 'held' | { message: ChatMessageDoc; session: ChatSessionDoc }> {
  const settings = await chatSettings(session.orgId);
  const now = clock.now();
  if (String(session.agentId) === ctx.actor.id && replyWindowOf(session, settings, now).open) {
    const cutoff = new Date(now.getTime() - settings.replyWindowHours * 3_600_000);
    const slot = await ChatSession.updateOne(
      {
        _id: session._id,
        orgId: session.orgId,
        state: 'serving',
        agentId: session.agentId,
        lastCustomerMessageAt: { $gt: cutoff },
        agentMessagesSinceCustomer: { $lt: settings.replyWindowMessages },
        replyPlaceKeys: { $ne: key },
      },
      // The latest keys are enough: a window never holds more places than that.
      { $inc: { agentMessagesSinceCustomer: 1 }, $push: { replyPlaceKeys: { $each: [key], $slice: -REPLY_WINDOW_MESSAGES_MAX } } },
    );
    if (slot.modifiedCount === 1) {
      if (!session.firstResponseAt)
        await ChatSession.updateOne({ _id: session._id, orgId: session.orgId, firstResponseAt: null }, { $set: { firstResponseAt: now } });
      return 'taken';
    }
  }
  const [stored, fresh] = await Promise.all([
    ChatMessage.findOne({ orgId: session.orgId, dedupeKey: key }).lean<ChatMessageDoc>(),
    ChatSession.findOne({ _id: session._id, orgId: session.orgId }).lean<ChatSessionDoc>(),
  ]);
  if (stored) return { message: stored, session: fresh ?? session };
  const latest = fresh ?? session;
  assertSessionRule('speak', ctx.actor, latest);
  if (latest.replyPlaceKeys?.includes(key)) return 'held';
  const window = replyWindowOf(latest, settings, now);
  // Open again by the time it was read (a customer wrote meanwhile): the limit was what refused it.
  const reason = window.reason ?? 'limit_reached';
  throw new ConflictError(`Sending is closed: ${reason}`, {
    code: `reply_${reason}`,
    messageKey: `chat.replyWindow.${reason}`,
    extra: { replyWindow: window },
  });
}

/** Picking from the queue (any routing mode), within the agent's concurrent-session cap. */
export async function acceptSession(ctx: ServiceContext, sessionId: string): Promise<ChatSessionDoc> {
  const session = await sessionInReach(ctx, sessionId);
  if (session.state !== 'queued') throw new ConflictError('Someone else took this session', { code: 'not_queued', messageKey: 'chat.errors.notQueued' });
  await ensurePresence(ctx);
  const { maxConcurrentSessions } = await chatSettings(session.orgId);
  const me = toObjectId(ctx.actor.id);
  if (!(await claimAgentSlot(session.orgId, me, session._id, maxConcurrentSessions, { onlineOnly: false }))) {
    throw new ConflictError('You are serving as many sessions as allowed', {
      code: 'too_many_sessions',
      messageKey: 'chat.errors.tooManySessions',
      params: { max: maxConcurrentSessions },
    });
  }
  const assigned = await assignSession(session, me, { by: ctx });
  if (!assigned) throw new ConflictError('Someone else took this session', { code: 'not_queued', messageKey: 'chat.errors.notQueued' });
  return assigned;
}

/**
 * To another agent (within their cap), to a store's team (back to the queue, offered to that store's agents first),
 * or back to the queue; with a note the customer does not see.
 */
export async function transferSession(
  ctx: ServiceContext,
  input: { sessionId: string; toAgentId: string | null; toStoreId?: string | null | undefined; note: string },
): Promise<ChatSessionDoc> {
  const session = await sessionInReach(ctx, input.sessionId);
  if (session.state !== 'serving')
    throw new ConflictError('Only a session being served can be transferred', { code: 'not_serving', messageKey: 'chat.errors.notServing' });
  assertSessionRule('transfer', ctx.actor, session);
  const note = input.note ? `${input.note}` : '';
  if (!input.toAgentId) {
    const team = input.toStoreId ? await Store.findOne({ _id: toObjectId(input.toStoreId, 'store'), orgId: session.orgId }, { _id: 1 }).lean() : null;
    if (input.toStoreId && !team) throw new ValidationError({ toStoreId: ['unknown_store'] });
    const toTeam = team ? { storeId: team._id, preferStore: true } : {};
    // The slot is given back only once the session really went back (it may have closed meanwhile).
    const queued = await transition(session, 'queued', {
      by: ctx,
      note,
      set: { queuedAt: clock.now(), agentId: null, ...toTeam },
      guard: { agentId: session.agentId },
    });
    if (!queued) throw new ConflictError('The session changed meanwhile', { code: 'conflict', messageKey: 'chat.errors.changedMeanwhile' });
    await releaseAgentSlot(session.orgId, session.agentId, session._id);
    if (note)
      await appendMessage(queued, {
        sender: 'system',
        senderId: ctx.actor.id,
        clientId: `transfer:${String(session._id)}:${queued.transitions.length}`,
        text: note,
        internal: true,
      });
    await routeQueue(String(session.orgId));
    return (await ChatSession.findOne({ _id: session._id, orgId: session.orgId }).lean<ChatSessionDoc>()) ?? queued;
  }
  const to = await Staff.findOne(
    { _id: toObjectId(input.toAgentId, 'staff'), orgId: session.orgId, status: 'active', roles: { $in: rolesFor('chat.serve') } },
    { realName: 1, storeId: 1, roles: 1 },
  ).lean();
  // Within the colleague's own reach: a clerk takes only their own customer's conversation, a manager their store's.
  if (!to || !mayReceiveSession(to, String(session.orgId), session)) throw new ValidationError({ toAgentId: ['unknown_staff'] });
  if (String(to._id) === String(session.agentId)) throw new ValidationError({ toAgentId: ['same_agent'] });
  await upsertRetryingOnce(() =>
    AgentPresence.updateOne(
      { orgId: session.orgId, staffId: to._id },
      {
        $setOnInsert: { orgId: session.orgId, staffId: to._id, storeId: to.storeId ?? null, status: 'offline', activeSessions: 0, lastAssignedAt: new Date(0) },
      },
      { upsert: true },
    ),
  );
  const { maxConcurrentSessions } = await chatSettings(session.orgId);
  if (!(await claimAgentSlot(session.orgId, to._id, session._id, maxConcurrentSessions, { onlineOnly: false }))) {
    throw new ConflictError('That agent is serving as many sessions as allowed', {
      code: 'too_many_sessions',
      messageKey: 'chat.errors.targetFull',
      params: { max: maxConcurrentSessions },
    });
  }
  const moved = await transition(session, 'serving', { by: ctx, note, set: { agentId: to._id, assignedAt: clock.now() }, guard: { agentId: session.agentId } });
  if (!moved) {
    await releaseAgentSlot(session.orgId, to._id, session._id);
    throw new ConflictError('The session changed meanwhile', { code: 'conflict', messageKey: 'chat.errors.changedMeanwhile' });
  }
  await releaseAgentSlot(session.orgId, session.agentId, session._id);
  await appendMessage(moved, {
    sender: 'system',
    senderId: ctx.actor.id,
    clientId: `transfer:${String(session._id)}:${moved.transitions.length}`,
    text: `→ ${to.realName}${note ? `: ${note}` : ''}`,
    internal: true,
  });
  return moved;
}

export async function closeSession(ctx: ServiceContext, input: { sessionId: string; disposition: string }): Promise<ChatSessionDoc> {
  const session = await sessionInReach(ctx, input.sessionId);
  if (session.state === 'closed') throw new ConflictError('The session is closed already', { code: 'closed', messageKey: 'chat.errors.closed' });
  assertSessionRule('close', ctx.actor, session);
  const closed = await closeSessionDoc(session, { by: ctx, disposition: input.disposition });
  if (!closed) throw new ConflictError('The session changed meanwhile', { code: 'conflict', messageKey: 'chat.errors.changedMeanwhile' });
  return closed;
}

export async function agentRead(ctx: ServiceContext, input: { sessionId: string; seq: number }): Promise<ChatSessionDoc> {
  const session = await sessionInReach(ctx, input.sessionId);
  const readUpTo = Math.min(input.seq, session.seq);
  // The customer's page shows what was read in its own numbering (no notes), recorded beside the agents' number.
  const visible = await visibleNumberAt(session, readUpTo);
  const updated = await ChatSession.findOneAndUpdate(
    { _id: session._id, orgId: session.orgId },
    { $max: { agentReadSeq: readUpTo, agentReadVisibleSeq: visible } },
    { returnDocument: 'after' },
  ).lean<ChatSessionDoc>();
  announce(updated!);
  return updated!;
}

/**
 * The status the agent chooses: online takes sessions (and routes the waiting queue at once), away keeps current
 * ones, offline takes none. It is kept across reloads, reconnects and logins, so a console that connects again
 * need not set it again; whether the agent is actually there is told by their live consoles (presence.ts).
 */
export async function setPresence(ctx: ServiceContext, status: PresenceState): Promise<PresenceState> {
  await ensurePresence(ctx);
  await AgentPresence.updateOne({ orgId: toObjectId(ctx.orgId), staffId: toObjectId(ctx.actor.id) }, { $set: { status } });
  forgetAgentsOnline(ctx.orgId);
  if (status === 'online') await routeQueue(ctx.orgId);
  return status;
}

/** A console opened (its id is the socket's): live until it stops beating; an online agent back takes the waiting queue. */
export async function consoleConnected(ctx: ServiceContext, console: { id: string; instance: string }): Promise<void> {
  await ensurePresence(ctx);
  await refreshConsole(ctx.orgId, ctx.actor.id, console);
  const chosen = await AgentPresence.findOne({ orgId: toObjectId(ctx.orgId), staffId: toObjectId(ctx.actor.id) }, { status: 1 }).lean();
  if (chosen?.status === 'online') await routeQueue(ctx.orgId);
}

/** A console is still there (every HEARTBEAT_MS while connected); one that was swept meanwhile counts again. */
export async function consoleHeartbeat(ctx: ServiceContext, console: { id: string; instance: string }): Promise<void> {
  await refreshConsole(ctx.orgId, ctx.actor.id, console);
}

/** A console closed. The agent's sessions stay theirs for a while (a reload comes back); see sweepChat. */
export async function consoleDisconnected(ctx: ServiceContext, consoleId: string): Promise<void> {
  await dropConsole(ctx.orgId, ctx.actor.id, consoleId);
}

/** Tags the session's customer while serving (enterprise tags and the agent's own). */
export async function tagSessionCustomer(ctx: ServiceContext, input: { sessionId: string; add: string[]; remove: string[] }): Promise<CustomerDoc> {
  const session = await sessionInReach(ctx, input.sessionId);
  if (!session.customerId) throw new ConflictError('Link the visitor to a customer first', { code: 'no_customer', messageKey: 'chat.errors.noCustomer' });
  assertSessionRule('actOnCustomer', ctx.actor, session);
  return tagServedCustomer(ctx, session.customerId, { add: input.add, remove: input.remove });
}

const SIDEBAR_TIMELINE_LINES = 10;
/** Enough events that repeats folded together still fill the sidebar's lines in the usual case. */
const SIDEBAR_TIMELINE_READ = 60;

/**
 * Events in a row of one kind as one line with a count (a conversation's state changes come in fours: new, queued,
 * serving, closed), so the sidebar shows what happened rather than the same words ten times. Newest first.
 */
function runsOfSameType(events: { type: string; at: Date }[]): { type: string; at: string; count: number }[] {
  const runs: { type: string; at: string; count: number }[] = [];
  for (const event of events) {
    const last = runs.at(-1);
    if (last && last.type === event.type) last.count += 1;
    else runs.push({ type: event.type, at: event.at.toISOString(), count: 1 });
  }
  return runs;
}

/** The customer beside a conversation: profile, tags, the latest of their timeline, and the tags that can be added. */
export async function sidebarCustomer(ctx: ServiceContext, customer: CustomerDoc) {
  const [tagNames, timeline, tags] = await Promise.all([
    tagNamesFor(ctx, customer.tagIds),
    TimelineEvent.find({ orgId: customer.orgId, customerId: customer._id }).sort({ at: -1, _id: -1 }).limit(SIDEBAR_TIMELINE_READ).lean(),
    listTagGroups(ctx),
  ]);
  return {
    tags: customer.tagIds.map((id) => ({ id: String(id), name: tagNames.get(String(id)) ?? '' })).filter((tag) => tag.name),
    timeline: runsOfSameType(timeline).slice(0, SIDEBAR_TIMELINE_LINES),
    tagChoices: [
      ...tags.groups.flatMap((g) => g.tags.map((tag) => ({ id: String(tag._id), name: tag.name, group: g.name }))),
      ...tags.personal.map((tag) => ({ id: String(tag._id), name: tag.name, group: null })),
    ],
  };
}

/**
 * Links the session's visitor to a CRM customer: an existing one, or a new one made from the visitor's name and
 * number. Answers with the customer's conversations from every device, now that they are known.
 */
export async function linkCustomer(ctx: ServiceContext, input: { sessionId: string; customerId: string | null }) {
  const session = await sessionInReach(ctx, input.sessionId);
  const visitor = await ChatVisitor.findOne({ _id: session.visitorId, orgId: session.orgId }).lean<ChatVisitorDoc>();
  let customerId: mongoose.Types.ObjectId;
  if (input.customerId) {
    // An existing customer: one the actor may read anyway, or the one whose number the visitor gave. Never any
    // customer by id, which would show an agent a stranger's profile.
    const customer = await Customer.findOne(
      { _id: toObjectId(input.customerId, 'customer'), orgId: session.orgId, erasedAt: null },
      { phone: 1, ownerId: 1, storeId: 1 },
    ).lean();
    const readable =
      customer && can(ctx.actor, 'customer.read') && (await Customer.exists({ ...customerScopeFilter(ctx, 'customer.read'), _id: customer._id }));
    if (!customer || (!readable && !(visitor?.phone && visitor.phone === customer.phone))) throw new NotFoundError('No such customer');
    customerId = customer._id;
  } else {
    if (!visitor?.phone) throw new ValidationError({ phone: ['required'] });
    try {
      const created = await addServedCustomer(ctx, session, {
        name: visitor.name,
        phone: visitor.phone,
        gender: 'unknown',
        birthday: null,
        relatives: [],
        tagIds: [],
        notes: '',
        source: 'online',
      });
      customerId = created._id;
    } catch (err) {
      // The number became a customer since the visitor wrote: that customer is the one.
      if (!(err instanceof ConflictError) || err.code !== 'duplicate') throw err;
      const existing = await Customer.findOne({ orgId: session.orgId, phone: visitor.phone, erasedAt: null }, { _id: 1 }).lean();
      if (!existing) throw err;
      customerId = existing._id;
    }
  }
  await ChatVisitor.updateOne({ _id: session.visitorId, orgId: session.orgId }, { $set: { customerId } });
  const owner = await Customer.findOne({ _id: customerId, orgId: session.orgId }, { ownerId: 1 }).lean();
  const updated = await ChatSession.findOneAndUpdate(
    { _id: session._id, orgId: session.orgId },
    { $set: { customerId, ownerId: owner?.ownerId ?? null } },
    { returnDocument: 'after' },
  ).lean<ChatSessionDoc>();
  // The visitor's earlier conversations are the customer's too: found from the customer's next device as well.
  await ChatSession.updateMany({ orgId: session.orgId, visitorId: session.visitorId, customerId: null }, { $set: { customerId } });
  announce(updated!);
  return { session: updated!, earlier: await earlierSessions(updated!) };
}

/** The latest conversation of each of these customers within the actor's reach (the follow-up inbox links to it). */
export async function latestConversations(ctx: ServiceContext, customerIds: mongoose.Types.ObjectId[]): Promise<Map<string, string>> {
  if (!customerIds.length || !can(ctx.actor, 'chat.serve')) return new Map();
  const sessions = await ChatSession.find({ ...sessionScope(ctx), customerId: { $in: customerIds } }, { customerId: 1, createdAt: 1 })
    .sort({ createdAt: -1 })
    .lean();
  const latest = new Map<string, string>();
  for (const session of sessions) if (!latest.has(String(session.customerId))) latest.set(String(session.customerId), String(session._id));
  return latest;
}

/** The tags an agent is good with (enterprise tags of the organisation), used by routing. */
export async function setChatSkills(ctx: ServiceContext, tagIds: string[]): Promise<string[]> {
  await ensurePresence(ctx);
  const orgId = toObjectId(ctx.orgId);
  const unique = [...new Set(tagIds)];
  if (unique.some((id) => !mongoose.isObjectIdOrHexString(id))) throw new ValidationError({ tagIds: ['unknown_tag'] });
  const ids = unique.map((id) => toObjectId(id));
  if (ids.length && (await Tag.countDocuments({ orgId, ownerId: null, _id: { $in: ids } })) !== ids.length)
    throw new ValidationError({ tagIds: ['unknown_tag'] });
  await AgentPresence.updateOne({ orgId, staffId: toObjectId(ctx.actor.id) }, { $set: { skillTagIds: ids } });
  return ids.map(String);
}

export async function chatSkillsOf(ctx: ServiceContext): Promise<string[]> {
  const presence = await AgentPresence.findOne({ orgId: toObjectId(ctx.orgId), staffId: toObjectId(ctx.actor.id) }, { skillTagIds: 1 }).lean();
  return (presence?.skillTagIds ?? []).map(String);
}

/** An image shown in the console: only from a session the actor may reach. */
export async function imageInReach(ctx: ServiceContext, imageId: string): Promise<void> {
  if (!mongoose.isObjectIdOrHexString(imageId)) throw new NotFoundError('No such image');
  const message = await ChatMessage.findOne({ orgId: toObjectId(ctx.orgId), 'image.fileId': toObjectId(imageId) }, { sessionId: 1 }).lean();
  if (!message) throw new NotFoundError('No such image');
  await sessionInReach(ctx, String(message.sessionId));
}

/** Colleagues a session can be transferred to: active staff who serve chats, with their presence and load. */
export async function listChatAgents(ctx: ServiceContext): Promise<{ id: string; name: string; status: PresenceState; activeSessions: number }[]> {
  authorize(ctx.actor, 'chat.serve');
  const orgId = toObjectId(ctx.orgId);
  // Those routed beyond their own customers: a clerk receives only her own customer's conversation, never from this list.
  const staff = await Staff.find({ orgId, status: 'active', roles: { $in: rolesFor('chat.serve', 'store') } }, { realName: 1 })
    .sort({ realName: 1 })
    .lean();
  const presence = new Map((await AgentPresence.find({ orgId, staffId: { $in: staff.map((s) => s._id) } }).lean()).map((p) => [String(p.staffId), p]));
  const live = new Set((await liveStaffIds(orgId)).map(String));
  return staff.map((s) => ({
    id: String(s._id),
    name: s.realName,
    status: effectiveStatus(presence.get(String(s._id))?.status, live.has(String(s._id))),
    activeSessions: presence.get(String(s._id))?.activeSessions ?? 0,
  }));
}
