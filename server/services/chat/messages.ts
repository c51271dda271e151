import { ChatMessage, ChatSession, type ChatMessageDoc, type ChatSessionDoc, type MessageSender } from '../../models/chat-session.js';
import { isDuplicateKey } from '../mongo-errors.js';
import { domainEvents } from '../events.js';
import { presentMessage } from '../../presenters/chat.js';
import { clock } from '../../clock.js';
import { mongoose } from '../../db/connect.js';

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

const MAX_SEQ_ATTEMPTS = 50;

/**
 * Stores a message once and gives it the session's next sequence number.
 * - A repeated client id returns the stored message (the sender is acknowledged again; nothing is stored twice).
 * - The number is taken by inserting last + 1 under a unique (session, seq) index and retrying on conflict, so
 *   a message numbered n is only ever stored after n - 1: a client that resumes "after n" can never skip one,
 *   even with several app processes writing to the same session.
 * - `sessionSet` lands in the same session update that records the new number (one write per message).
 * The push to the session's rooms follows the write.
 */
export async function appendMessage(
  session: Pick<ChatSessionDoc, '_id' | 'orgId' | 'visitorId'> & { seq?: number },
  input: NewMessage,
  opts: { checkDuplicate?: boolean; sessionSet?: Partial<ChatSessionDoc> } = {},
): Promise<{ message: ChatMessageDoc; duplicate: boolean; session: ChatSessionDoc | null }> {
  const dedupeKey = `${input.sender}:${input.senderId}:${input.clientId}`;
  if (opts.checkDuplicate !== false) {
    const existing = await ChatMessage.findOne({ orgId: session.orgId, dedupeKey }).lean<ChatMessageDoc>();
    if (existing) return { message: existing, duplicate: true, session: null };
  }
  // The session's own counter is only raised after its message is stored, so counter + 1 is a safe first guess;
  // on a conflict the latest stored number decides.
  let seq = (session.seq ?? (await lastSeqOf(session))) + 1;
  for (let attempt = 0; attempt < MAX_SEQ_ATTEMPTS; attempt += 1) {
    try {
      // The document is complete and typed here, so it goes to the driver directly: the busiest write of the app
      // skips Mongoose's document machinery (the unique indexes still decide duplicates).
      const message: ChatMessageDoc = {
        _id: new mongoose.Types.ObjectId(),
        orgId: session.orgId,
        sessionId: session._id,
        visitorId: session.visitorId,
        seq,
        clientId: input.clientId,
        dedupeKey,
        sender: input.sender,
        agentId: input.agentId ?? null,
        text: input.text,
        image: input.image ?? null,
        internal: input.internal ?? false,
        createdAt: clock.now(),
      };
      await ChatMessage.collection.insertOne(message);
      const preview = message.internal ? {} : { lastMessageAt: message.createdAt, lastMessagePreview: message.image ? '[image]' : message.text.slice(0, 80) };
      const current = await ChatSession.findOneAndUpdate({ _id: session._id, orgId: session.orgId }, { $max: { seq }, $set: { ...preview, ...(opts.sessionSet ?? {}) } }, { returnDocument: 'after' }).lean<ChatSessionDoc>();
      domainEvents.emitEvent('chat.message', {
        orgId: String(session.orgId),
        sessionId: String(session._id),
        visitorId: String(session.visitorId),
        agentId: current?.agentId ? String(current.agentId) : null,
        internal: message.internal,
        message: presentMessage(message),
      });
      return { message, duplicate: false, session: current };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const again = await ChatMessage.findOne({ orgId: session.orgId, dedupeKey }).lean<ChatMessageDoc>();
      if (again) return { message: again, duplicate: true, session: null };
      // Another message took this number first: take the one after the latest stored.
      seq = (await lastSeqOf(session)) + 1;
    }
  }
  throw new Error(`could not number a message of session ${String(session._id)}`);
}

async function lastSeqOf(session: Pick<ChatSessionDoc, '_id' | 'orgId'>): Promise<number> {
  const last = await ChatMessage.findOne({ orgId: session.orgId, sessionId: session._id }, { seq: 1 }).sort({ seq: -1 }).lean();
  return last?.seq ?? 0;
}

/** Messages after a sequence number, in order: what a reconnecting client missed. */
export async function messagesAfter(session: Pick<ChatSessionDoc, '_id' | 'orgId'>, afterSeq: number, opts: { includeInternal: boolean; limit?: number }): Promise<ChatMessageDoc[]> {
  return ChatMessage.find({ orgId: session.orgId, sessionId: session._id, seq: { $gt: afterSeq }, ...(opts.includeInternal ? {} : { internal: false }) })
    .sort({ seq: 1 })
    .limit(opts.limit ?? 500)
    .lean<ChatMessageDoc[]>();
}

/** The latest messages of a session, in order (what a console shows when it opens a conversation). */
export async function latestMessages(session: Pick<ChatSessionDoc, '_id' | 'orgId'>, opts: { includeInternal: boolean; limit: number }): Promise<ChatMessageDoc[]> {
  const newest = await ChatMessage.find({ orgId: session.orgId, sessionId: session._id, ...(opts.includeInternal ? {} : { internal: false }) })
    .sort({ seq: -1 })
    .limit(opts.limit)
    .lean<ChatMessageDoc[]>();
  return newest.reverse();
}

export function now(): Date {
  return clock.now();
}
