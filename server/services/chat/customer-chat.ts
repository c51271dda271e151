import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { runtime, type OpenSessionRef } from '../../runtime.js';
import { ChatVisitor } from '../../models/chat-channel.js';
import { ChatMessage, ChatSession, type ChatMessageDoc, type ChatSessionDoc } from '../../models/chat-session.js';
import { ConflictError, NotFoundError, RateLimitedError } from '../../errors.js';
import { toObjectId } from '../ids.js';
import { appendMessage, messagesAfter, recordLateMessage, seqOfVisible } from './messages.js';
import { announce, chatSettings, ensureOpenSession, queuePosition, queueSession } from './sessions.js';
import { anyAgentOnline } from './presence.js';
import { chatChannel } from './channels.js';
import type { VisitorContext } from './visitors.js';
import { imageForMessage } from './images.js';
import { clock } from '../../clock.js';
import { inGroups } from '../in-groups.js';
import type { mongoose } from '../../db/connect.js';
import { staffCardsById, type StaffCardRecord } from '../org/staff-cards.js';

/**
 * DOMAIN: a customer sends at most N messages per S seconds (organisation settings); more gets a notice, not a block.
 * Counts one message and gives back the way to return its point (a repeat of a stored message is not a new one); a
 * refused message that turns out to be a repeat is acknowledged again rather than refused.
 */
async function countMessage(ctx: VisitorContext, repeatOf: () => Promise<ChatMessageDoc | null>): Promise<{ giveBack: () => void; repeated?: ChatMessageDoc }> {
  const { customerMessageLimit, customerMessageWindowSeconds } = await chatSettings(ctx.orgId);
  const key = `${customerMessageLimit}/${customerMessageWindowSeconds}`;
  const limiters = runtime().chat.messageLimiters;
  let limiter = limiters.get(key);
  if (!limiter) limiters.set(key, (limiter = new RateLimiterMemory({ points: customerMessageLimit, duration: customerMessageWindowSeconds })));
  try {
    await limiter.consume(ctx.visitorId);
    const counted = limiter;
    return { giveBack: () => void counted.reward(ctx.visitorId, 1) };
  } catch (err) {
    if (!(err instanceof RateLimiterRes)) throw err;
    const repeated = await repeatOf();
    if (repeated) return { giveBack: () => undefined, repeated };
    throw new RateLimitedError('Too many messages: wait a moment.', Math.ceil(err.msBeforeNext / 1000), { messageKey: 'chat.errors.rateLimited' });
  }
}

/**
 * The session each visitor last wrote to through this process (runtime().chat.openSessions), so their next message
 * needs no read to find it. Only a guess: the message's own write is guarded on the session not being closed
 * (`openOnly`), and a session closed elsewhere sends the message down the careful way. A close seen here forgets it
 * at once (runtime.ts listens).
 */
function rememberOpenSession(session: ChatSessionDoc): void {
  runtime().chat.openSessions.set(String(session.visitorId), {
    _id: session._id,
    orgId: session.orgId,
    visitorId: session.visitorId,
    seq: session.seq,
    visibleSeq: session.visibleSeq,
  });
}
function forgetOpenSession(visitorId: string): void {
  runtime().chat.openSessions.delete(visitorId);
}

async function ownSession(ctx: VisitorContext, sessionId: string): Promise<ChatSessionDoc> {
  const session = await ChatSession.findOne({
    _id: toObjectId(sessionId, 'session'),
    orgId: toObjectId(ctx.orgId),
    visitorId: toObjectId(ctx.visitorId),
  }).lean<ChatSessionDoc>();
  if (!session) throw new NotFoundError('No such session');
  return session;
}

/** Cards read together: a burst routed to 50 agents reads them in a few queries per organisation, not 50. */
const readAgentCard = inGroups<{ orgId: mongoose.Types.ObjectId; agentId: mongoose.Types.ObjectId }, StaffCardRecord | null>('agent cards', async (asks) => {
  const cards = new Map<string, StaffCardRecord>();
  for (const orgId of new Set(asks.map((a) => String(a.orgId)))) {
    const found = await staffCardsById(
      orgId,
      asks.filter((a) => String(a.orgId) === orgId).map((a) => a.agentId),
    );
    for (const [id, card] of found) cards.set(id, card);
  }
  return asks.map((a) => cards.get(String(a.agentId)) ?? null);
});

/**
 * Who serves the customer (their name and staff card), kept for a minute: every push to a customer shows it. A change
 * made through this process is seen at once (runtime.ts forgets the card); one made elsewhere within the minute.
 */
function agentCardOf(session: ChatSessionDoc): Promise<StaffCardRecord | null> {
  if (!session.agentId) return Promise.resolve(null);
  const { orgId, agentId } = session;
  return runtime().chat.agentCards.get(String(agentId), () => readAgentCard({ orgId, agentId }));
}

/** What the customer's side shows of a session besides the session itself: who serves them, or where they wait. */
export async function customerSessionExtras(
  session: ChatSessionDoc,
): Promise<{ agentName: string | null; agentCard: StaffCardRecord | null; queuePosition: number | null }> {
  const [agentCard, position] = await Promise.all([agentCardOf(session), session.state === 'queued' ? queuePosition(session) : Promise.resolve(null)]);
  return { agentName: agentCard?.staff.realName ?? null, agentCard, queuePosition: position };
}

/** The bot's part: a keyword answer, or the queue when nothing matches (the customer gets a person). */
async function botTurn(session: ChatSessionDoc, text: string): Promise<void> {
  const channel = await chatChannel(session.orgId, session.channelId);
  const lowered = text.toLowerCase();
  const hit = channel?.keywordAnswers.find((k) => k.keyword && lowered.includes(k.keyword.toLowerCase()));
  if (hit) {
    const answered = await ChatMessage.countDocuments({ orgId: session.orgId, sessionId: session._id, sender: 'bot' });
    await appendMessage(session, { sender: 'bot', senderId: String(session._id), clientId: `answer:${answered}`, text: hit.answer });
  } else {
    await queueSession(session);
  }
}

/**
 * A customer message: stored once per client id, numbered in its session, acknowledged after the write.
 * The usual case costs two writes (the message, then the session's number and reply window): the open session comes
 * from memory and a repeated client id from the unique index. Only when a new session would follow an earlier one is
 * a repeat looked up first (see ensureOpenSession), because opening a session has effects of its own (welcome
 * message, routing).
 */
export async function sendCustomerMessage(
  ctx: VisitorContext,
  input: { clientId: string; text: string; imageId?: string | undefined },
): Promise<{ message: ChatMessageDoc; session: ChatSessionDoc }> {
  const orgId = toObjectId(ctx.orgId);
  const repeatOf = () => ChatMessage.findOne({ orgId, dedupeKey: `customer:${ctx.visitorId}:${input.clientId}` }).lean<ChatMessageDoc>();
  const acknowledgeAgain = async (message: ChatMessageDoc) => {
    const session = (await ChatSession.findOne({ _id: message.sessionId, orgId }).lean<ChatSessionDoc>())!;
    // Stored but never counted by its session (a write that failed half-way): counted now, so the reply window opens.
    const healed =
      session && session.seq < message.seq
        ? await recordLateMessage(message, { lastCustomerMessageAt: message.createdAt, agentMessagesSinceCustomer: 0 })
        : null;
    return { message, session: healed ?? session };
  };
  let known: OpenSessionRef | undefined = runtime().chat.openSessions.get(ctx.visitorId);
  const counted = await countMessage(ctx, repeatOf);
  if (counted.repeated) return acknowledgeAgain(counted.repeated);
  const image = input.imageId ? await imageForMessage(ctx, input.imageId) : null;
  if (!known) {
    const opened = await ensureOpenSession(ctx.visitorId, ctx.orgId, { channelId: ctx.channelId, repeatOf });
    if (opened.repeated) {
      counted.giveBack();
      return acknowledgeAgain(opened.repeated);
    }
    known = opened.session;
  }
  // A new customer message reopens the reply window: recorded in the same write as the message's number.
  const appended = await appendMessage(
    known,
    { sender: 'customer', senderId: ctx.visitorId, clientId: input.clientId, text: input.text, image },
    {
      checkDuplicate: false,
      openOnly: true,
      sessionSet: { lastCustomerMessageAt: clock.now(), agentMessagesSinceCustomer: 0 },
      // Those serving hear of the reopened window with the message itself, and the sending device has both in its answer.
      tellServing: true,
      origin: ctx.origin,
    },
  );
  if (appended.duplicate) {
    counted.giveBack();
    return acknowledgeAgain(appended.message);
  }
  if (appended.closed || !appended.session) {
    // The session closed after it was read (here or in another process): the message goes to a new session, sent
    // again under the same client id (the stray copy is gone).
    counted.giveBack();
    forgetOpenSession(ctx.visitorId);
    return sendCustomerMessage(ctx, input);
  }
  const { message, session: updated } = { ...appended, session: appended.session };
  // Closed yet holding the message: a closing message raced it and came after it (see message-writer.ts).
  if (updated.state === 'closed') forgetOpenSession(ctx.visitorId);
  else rememberOpenSession(updated);
  if (updated.state !== 'bot') {
    // Served: told with the message (see above). Otherwise a change for the queue's watchers too.
    if (updated.state !== 'serving') announce(updated);
    return { message, session: updated };
  }
  await botTurn(updated, input.text || '[image]');
  return { message, session: (await ChatSession.findOne({ _id: updated._id, orgId }).lean<ChatSessionDoc>())! };
}

/** Whether someone is there to answer: the chat page says so before the customer writes. */
export async function agentsOnline(ctx: VisitorContext): Promise<boolean> {
  return anyAgentOnline(ctx.orgId);
}

/** The customer's session not yet closed, if any: where their typing signal goes. */
export async function openSessionIdOf(ctx: VisitorContext): Promise<string | null> {
  const open = await ChatSession.findOne({ orgId: toObjectId(ctx.orgId), visitorId: toObjectId(ctx.visitorId), state: { $ne: 'closed' } }, { _id: 1 }).lean();
  return open ? String(open._id) : null;
}

/** "I want a person": from the bot to the queue. */
export async function requestAgent(ctx: VisitorContext): Promise<ChatSessionDoc> {
  const { session } = await ensureOpenSession(ctx.visitorId, ctx.orgId);
  return session.state === 'bot' ? queueSession(session) : session;
}

/** The customer's open session (if any) and what they missed in it since a sequence number. */
export async function syncCustomer(ctx: VisitorContext, input: { sessionId?: string | undefined; afterSeq: number }) {
  const visitor = await ChatVisitor.findOne({ _id: toObjectId(ctx.visitorId), orgId: toObjectId(ctx.orgId) }).lean();
  const sessionId = input.sessionId ?? (visitor?.openSessionId ? String(visitor.openSessionId) : null);
  if (!sessionId) return { session: null, messages: [] as ChatMessageDoc[] };
  const session = await ownSession(ctx, sessionId);
  return { session, messages: await messagesAfter(session, input.afterSeq, { includeInternal: false }) };
}

/** Past sessions with their messages, newest session first, a page at a time. */
export async function customerHistory(ctx: VisitorContext, input: { beforeSessionId?: string | undefined; limit: number }) {
  const orgId = toObjectId(ctx.orgId);
  const filter: Record<string, unknown> = { orgId, visitorId: toObjectId(ctx.visitorId) };
  if (input.beforeSessionId) filter.createdAt = { $lt: (await ownSession(ctx, input.beforeSessionId)).createdAt };
  const sessions = await ChatSession.find(filter).sort({ createdAt: -1 }).limit(input.limit).lean<ChatSessionDoc[]>();
  const messages = await ChatMessage.find({ orgId, sessionId: { $in: sessions.map((s) => s._id) }, internal: false })
    .sort({ seq: 1 })
    .lean<ChatMessageDoc[]>();
  return sessions.map((session) => ({ session, messages: messages.filter((m) => String(m.sessionId) === String(session._id)) }));
}

export async function customerRead(ctx: VisitorContext, input: { sessionId: string; seq: number }): Promise<ChatSessionDoc> {
  const session = await ownSession(ctx, input.sessionId);
  // The customer counts without notes; agents see how far the customer read in their own numbering.
  const readUpTo = await seqOfVisible(session, Math.min(input.seq, session.visibleSeq ?? session.seq));
  const updated = await ChatSession.findOneAndUpdate(
    { _id: session._id, orgId: session.orgId },
    { $max: { customerReadSeq: readUpTo } },
    { returnDocument: 'after' },
  ).lean<ChatSessionDoc>();
  announce(updated!);
  return updated!;
}

/** Once per session, after it closed: 1 to 5 and an optional comment. */
export async function rateSession(ctx: VisitorContext, input: { sessionId: string; score: number; comment: string }): Promise<ChatSessionDoc> {
  const session = await ownSession(ctx, input.sessionId);
  if (session.state !== 'closed') throw new ConflictError('The session is still open', { code: 'session_open', messageKey: 'chat.errors.sessionOpen' });
  const rated = await ChatSession.findOneAndUpdate(
    { _id: session._id, orgId: session.orgId, state: 'closed', rating: null },
    { $set: { rating: { score: input.score, comment: input.comment, at: clock.now() } } },
    { returnDocument: 'after' },
  ).lean<ChatSessionDoc>();
  if (!rated) throw new ConflictError('This session was rated already', { code: 'already_rated', messageKey: 'chat.errors.alreadyRated' });
  announce(rated);
  return rated;
}
