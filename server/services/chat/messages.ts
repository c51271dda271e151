import { writeMessage } from './message-writer.js';
import { ChatMessage, ChatSession, type ChatMessageDoc, type ChatSessionDoc, type MessageSender } from '../../models/chat-session.js';
import { isDuplicateKey } from '../mongo-errors.js';
import { domainEvents } from '../events.js';
import { clock } from '../../clock.js';
import { mongoose } from '../../db/connect.js';
import { runtime, type LastNumbers } from '../../runtime.js';

export type NewMessage = {
  sender: MessageSender;
  /** Who sent it (visitor or agent id, or the session for bot and system messages): scopes the client id. */
  senderId: string;
  agentId?: mongoose.Types.ObjectId | null;
  clientId: string;
  text: string;
  image?: ChatMessageDoc['image'];
  internal?: boolean;
};

/** What makes a message one: its sender and the client id that sender chose (unique per organisation). */
export function dedupeKeyOf(input: Pick<NewMessage, 'sender' | 'senderId' | 'clientId'>): string {
  return `${input.sender}:${input.senderId}:${input.clientId}`;
}

const MAX_SEQ_ATTEMPTS = 50;

/** The last numbers this process stored per session (runtime().chat.lastSeqs): a better first guess than a session read a moment earlier. */
function rememberSeq(sessionId: string, last: LastNumbers): void {
  runtime().chat.lastSeqs.set(sessionId, last);
}

/**
 * After a failed write the database may have come back from a crash or a restore with fewer messages than this
 * process stored: a remembered number would then leave a gap, so every guess goes and the database decides again.
 */
function forgetSeqsOnFailure(err: unknown): never {
  runtime().chat.lastSeqs.clear();
  throw err;
}

/**
 * `tellServing`: a session still being served after this message is told to those serving it with the message (see
 * the `chat.message` event). `origin`: the connection the message came over (see the event).
 */
type AppendOptions = { checkDuplicate?: boolean; sessionSet?: Partial<ChatSessionDoc>; openOnly?: boolean; tellServing?: boolean; origin?: string | undefined };
/** `closed`: `openOnly` was asked and the session had closed, so nothing is stored. */
type Appended = { message: ChatMessageDoc; duplicate: boolean; session: ChatSessionDoc | null; closed?: true };
type SessionRef = Pick<ChatSessionDoc, '_id' | 'orgId' | 'visitorId'> & { seq?: number; visibleSeq?: number };

/**
 * Stores a message once and gives it the session's next sequence number.
 * - A repeated client id returns the stored message (the sender is acknowledged again; nothing is stored twice).
 * - The number is taken by inserting last + 1 under a unique (session, seq) index and retrying on conflict, so
 *   a message numbered n is only ever stored after n - 1: a client that resumes "after n" can never skip one,
 *   even with several app processes writing to the same session.
 * - `sessionSet` lands in the same session update that records the new number; the write goes in a group with
 *   other sessions' messages (see message-writer.ts).
 * - `openOnly`: that update applies only to a session not closed; when it had closed, the message is taken back
 *   (before anyone is told of it) and `closed` says so, so the caller can move it to a new session.
 * The push to the session's rooms follows the write.
 */
export function appendMessage(session: SessionRef, input: NewMessage, opts: AppendOptions = {}): Promise<Appended> {
  // One after another per session in this process: two messages of a session arriving together would otherwise both
  // try the same number, and the loser pays a conflict and a scan. Other processes still meet under the unique index,
  // so this only saves work; it decides nothing.
  return runtime().chat.sessionTurns(String(session._id), () => storeMessage(session, input, opts));
}

async function storeMessage(session: SessionRef, input: NewMessage, opts: AppendOptions): Promise<Appended> {
  const sessionKey = String(session._id);
  const dedupeKey = dedupeKeyOf(input);
  if (opts.checkDuplicate !== false) {
    const existing = await ChatMessage.findOne({ orgId: session.orgId, dedupeKey }).lean<ChatMessageDoc>();
    if (existing) return { message: existing, duplicate: true, session: null };
  }
  // The session's own counter is only raised after its message is stored, so counter + 1 is a safe first guess (or
  // the last number this process stored, when higher); on a conflict the latest stored number decides. The visible
  // number follows from the message before (stored before this one can be: see above), read with its sequence.
  let last = firstGuess(session, runtime().chat.lastSeqs.get(sessionKey)) ?? (await lastNumbersOf(session));
  const visibleStep = input.internal ? 0 : 1;
  for (let attempt = 0; attempt < MAX_SEQ_ATTEMPTS; attempt += 1) {
    const seq = last.seq + 1;
    // The document is complete and typed here, so it goes to the driver directly: the busiest write of the app
    // skips Mongoose's document machinery (the unique indexes still decide duplicates).
    const message: ChatMessageDoc = {
      _id: new mongoose.Types.ObjectId(),
      orgId: session.orgId,
      sessionId: session._id,
      visitorId: session.visitorId,
      seq,
      visibleSeq: last.visibleSeq + visibleStep,
      clientId: input.clientId,
      dedupeKey,
      sender: input.sender,
      agentId: input.agentId ?? null,
      text: input.text,
      image: input.image ?? null,
      internal: input.internal ?? false,
      createdAt: clock.now(),
    };
    const preview = message.internal ? {} : { lastMessageAt: message.createdAt, lastMessagePreview: message.image ? '[image]' : message.text.slice(0, 80) };
    const written = await writeMessage({ message, sessionSet: { ...preview, ...(opts.sessionSet ?? {}) }, openOnly: opts.openOnly ?? false }).catch(
      forgetSeqsOnFailure,
    );
    if (!written.stored) {
      if (!isDuplicateKey(written.error)) forgetSeqsOnFailure(written.error);
      const again = await ChatMessage.findOne({ orgId: session.orgId, dedupeKey }).lean<ChatMessageDoc>();
      if (again) return { message: again, duplicate: true, session: null };
      // Another message took this number first: take the one after the latest stored.
      last = await lastNumbersOf(session);
      continue;
    }
    let current = written.session;
    if (!written.recorded) {
      // Closed (or gone) between the caller's read and this write: the number was not recorded on the session. The
      // message goes, unless a later one (another process's closing message) already follows it: taking it back
      // then would leave a gap, so it stays in the closed session.
      const followed = await ChatMessage.exists({ orgId: session.orgId, sessionId: session._id, seq: { $gt: seq } });
      current = followed ? await ChatSession.findOne({ _id: session._id, orgId: session.orgId }).lean<ChatSessionDoc>() : null;
      if (!current) {
        await ChatMessage.collection.deleteOne({ _id: message._id, orgId: session.orgId });
        rememberSeq(sessionKey, last);
        return { message, duplicate: false, session: null, closed: true };
      }
    }
    rememberSeq(sessionKey, { seq, visibleSeq: message.visibleSeq });
    domainEvents.emitEvent('chat.message', {
      orgId: String(session.orgId),
      sessionId: sessionKey,
      visitorId: String(session.visitorId),
      agentId: current?.agentId ? String(current.agentId) : null,
      internal: message.internal,
      message,
      ...(opts.tellServing && current?.state === 'serving' ? { servedSession: current } : {}),
      ...(opts.origin ? { origin: opts.origin } : {}),
    });
    return { message, duplicate: false, session: current };
  }
  throw new Error(`could not number a message of session ${String(session._id)}`);
}

/**
 * The higher of the session's counters as the caller read them and this process's memory, as a pair: the two
 * numbers must come from the same place (a session read before the visible number existed has none, so no guess).
 */
function firstGuess(session: SessionRef, remembered: LastNumbers | undefined): LastNumbers | undefined {
  const fromSession = session.seq !== undefined && session.visibleSeq !== undefined ? { seq: session.seq, visibleSeq: session.visibleSeq } : undefined;
  if (!fromSession) return remembered;
  if (!remembered) return fromSession;
  return remembered.seq > fromSession.seq ? remembered : fromSession;
}

async function lastNumbersOf(session: Pick<ChatSessionDoc, '_id' | 'orgId'>): Promise<LastNumbers> {
  const last = await ChatMessage.findOne({ orgId: session.orgId, sessionId: session._id }, { seq: 1, visibleSeq: 1 }).sort({ seq: -1 }).lean();
  return { seq: last?.seq ?? 0, visibleSeq: last?.visibleSeq ?? 0 };
}

/**
 * Messages after a number, in order: what a reconnecting client missed. Agents count in `seq` (notes included), the
 * customer in `visibleSeq` (no notes).
 */
export async function messagesAfter(
  session: Pick<ChatSessionDoc, '_id' | 'orgId'>,
  afterSeq: number,
  opts: { includeInternal: boolean; limit?: number },
): Promise<ChatMessageDoc[]> {
  const after = opts.includeInternal ? { seq: { $gt: afterSeq } } : { visibleSeq: { $gt: afterSeq }, internal: false };
  return ChatMessage.find({ orgId: session.orgId, sessionId: session._id, ...after })
    .sort({ seq: 1 })
    .limit(opts.limit ?? 500)
    .lean<ChatMessageDoc[]>();
}

/** The latest messages of a session, in order (what a console shows when it opens a conversation). */
export async function latestMessages(
  session: Pick<ChatSessionDoc, '_id' | 'orgId'>,
  opts: { includeInternal: boolean; limit: number },
): Promise<ChatMessageDoc[]> {
  const newest = await ChatMessage.find({ orgId: session.orgId, sessionId: session._id, ...(opts.includeInternal ? {} : { internal: false }) })
    .sort({ seq: -1 })
    .limit(opts.limit)
    .lean<ChatMessageDoc[]>();
  return newest.reverse();
}

export function now(): Date {
  return clock.now();
}

/**
 * A stored message its session never counted (the session update failed after the insert, and the sender retried):
 * the session records it now, with the effects the first write would have had, and the message is pushed. Safe to
 * repeat ($max and $set); a closed session is left as it is.
 */
export async function recordLateMessage(message: ChatMessageDoc, sessionSet: Partial<ChatSessionDoc>): Promise<ChatSessionDoc | null> {
  const preview = message.internal ? {} : { lastMessageAt: message.createdAt, lastMessagePreview: message.image ? '[image]' : message.text.slice(0, 80) };
  const session = await ChatSession.findOneAndUpdate(
    { _id: message.sessionId, orgId: message.orgId, state: { $ne: 'closed' }, seq: { $lt: message.seq } },
    { $max: { seq: message.seq, visibleSeq: message.visibleSeq }, $set: { ...preview, ...sessionSet } },
    { returnDocument: 'after' },
  ).lean<ChatSessionDoc>();
  if (!session) return null;
  domainEvents.emitEvent('chat.message', {
    orgId: String(message.orgId),
    sessionId: String(message.sessionId),
    visitorId: String(message.visitorId),
    agentId: session.agentId ? String(session.agentId) : null,
    internal: message.internal,
    message,
  });
  return session;
}

/** The customer's number for a position in the agents' sequence: that of the message there, or the last before it. */
export async function visibleNumberAt(session: Pick<ChatSessionDoc, '_id' | 'orgId'>, seq: number): Promise<number> {
  if (seq <= 0) return 0;
  const at = await ChatMessage.findOne({ orgId: session.orgId, sessionId: session._id, seq: { $lte: seq } }, { visibleSeq: 1 })
    .sort({ seq: -1 })
    .lean();
  return at?.visibleSeq ?? 0;
}

/** The agents' sequence number of the message the customer knows by `visibleSeq` (0 before the first). */
export async function seqOfVisible(session: Pick<ChatSessionDoc, '_id' | 'orgId'>, visibleSeq: number): Promise<number> {
  if (visibleSeq <= 0) return 0;
  const at = await ChatMessage.findOne({ orgId: session.orgId, sessionId: session._id, internal: false, visibleSeq: { $lte: visibleSeq } }, { seq: 1 })
    .sort({ seq: -1 })
    .lean();
  return at?.seq ?? 0;
}

/**
 * Gives messages stored before the customer's numbering existed their `visibleSeq`, session by session in `seq`
 * order, and their sessions the matching counters (a data migration; safe to run again: it only fills what is
 * missing, and a message numbered meanwhile carries its own). Answers how many messages it numbered.
 */
export async function backfillVisibleNumbers(): Promise<number> {
  const sessionIds = await ChatMessage.collection.distinct('sessionId', { visibleSeq: { $exists: false } });
  let numbered = 0;
  for (const sessionId of sessionIds) {
    const messages = await ChatMessage.collection
      .find({ sessionId, orgId: { $exists: true } }, { projection: { orgId: 1, seq: 1, internal: 1, visibleSeq: 1 } })
      .sort({ seq: 1 })
      .toArray();
    if (!messages.length) continue;
    const orgId = messages[0]!.orgId;
    let visible = 0;
    const atSeq = new Map<number, number>();
    const updates = [];
    for (const message of messages) {
      if (!message.internal) visible += 1;
      atSeq.set(message.seq as number, visible);
      if (message.visibleSeq === undefined)
        updates.push({ updateOne: { filter: { _id: message._id, orgId, visibleSeq: { $exists: false } }, update: { $set: { visibleSeq: visible } } } });
    }
    if (updates.length) numbered += (await ChatMessage.collection.bulkWrite(updates, { ordered: false })).modifiedCount;
    const session = await ChatSession.collection.findOne({ _id: sessionId, orgId }, { projection: { agentReadSeq: 1 } });
    const readAt = [...atSeq.entries()].filter(([seq]) => seq <= ((session?.agentReadSeq as number | undefined) ?? 0)).at(-1)?.[1] ?? 0;
    await ChatSession.collection.updateOne({ _id: sessionId, orgId }, { $max: { visibleSeq: visible, agentReadVisibleSeq: readAt } });
  }
  return numbered;
}
