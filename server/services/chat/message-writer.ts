import type { AnyBulkWriteOperation } from 'mongodb';
import { insertDocuments } from '../../db/bulk-insert.js';
import { ChatMessage, ChatSession, type ChatSessionDoc } from '../../models/chat-session.js';
import { runtime, type MessageWrite, type MessageWritten, type PendingWrite as Entry } from '../../runtime.js';

export type { MessageWrite, MessageWritten };

/** Enough for every customer of a busy process in one round; a longer queue waits for the next. */
const MAX_BATCH = 500;

/**
 * A second group may be written while the first is: under load the app would otherwise wait idle for the database's
 * answers between groups. Only once a queue has built up, so a moderate load still makes few, fuller groups.
 */
const MAX_WRITERS = 2;
const SECOND_WRITER_AT = 16;

/**
 * Stores a message, in a group with whatever other messages are waiting (group commit): while a group is being
 * written, new messages queue and go together in the next one, so a busy process makes three database round trips
 * per group (insert the messages, update their sessions, read the sessions) instead of two per message. An idle
 * process writes a lone message at once: batching adds no wait of its own, only the wait for the group ahead.
 *
 * Nothing of the guarantees moves: a message is reported stored only after the database acknowledged its insert and
 * its session's update; each insert succeeds or fails on its own (unordered), so a duplicate client id or a number
 * taken elsewhere fails only its own message, under the same unique indexes; callers still number and retry
 * message by message (one message per session at a time, so a group never holds two of one session).
 */
export function writeMessage(write: MessageWrite): Promise<MessageWritten> {
  // The waiting messages and the writers at work are the process's (runtime().chat.writer).
  const state = runtime().chat.writer;
  return new Promise((resolve, reject) => {
    state.queue.push({ ...write, done: resolve, fail: reject });
    if (state.writers === 0 || (state.writers < MAX_WRITERS && state.queue.length >= SECOND_WRITER_AT)) {
      state.writers += 1;
      // After the current turn of the event loop's callbacks: messages that arrived together go together.
      setImmediate(() => void drain(state));
    }
  });
}

async function drain(state: { queue: Entry[]; writers: number }): Promise<void> {
  while (state.queue.length) {
    const group = state.queue.slice(0, MAX_BATCH);
    state.queue = state.queue.slice(group.length);
    try {
      await writeGroup(group);
    } catch (err) {
      for (const entry of group) entry.fail(err);
    }
  }
  state.writers -= 1;
}

async function writeGroup(group: Entry[]): Promise<void> {
  const refused = new Map(
    [
      ...(await insertDocuments(
        ChatMessage,
        group.map((entry) => withoutEmptyImage(entry.message)),
        // Nothing shared, but one template: each message's fields are cast and validated without a document of its own.
        {},
      )),
    ].map(([index, why]) => [index, Object.assign(new Error(why.message), { code: why.code })] as const),
  );
  const stored = group.filter((_, i) => !refused.has(i));
  group.forEach((entry, i) => {
    const error = refused.get(i);
    if (error) entry.done({ stored: false, error });
  });
  if (!stored.length) return;

  // Driver, not Mongoose: the updates name only schema fields with values of their types, so casting adds nothing;
  // `updatedAt` is what Mongoose's timestamps would have set.
  const filterOf = ({ message, openOnly }: MessageWrite) => ({
    _id: message.sessionId,
    orgId: message.orgId,
    ...(openOnly ? { state: { $ne: 'closed' as const } } : {}),
  });
  const updateOf = ({ message, sessionSet }: MessageWrite) => ({
    $max: { seq: message.seq, visibleSeq: message.visibleSeq },
    $set: { ...sessionSet, updatedAt: message.createdAt },
  });
  // The messages are stored: their sessions' updates ($max and $set, safe to repeat) are tried again on a passing
  // failure rather than failing messages that are already in (a retry of one is healed as a repeat, see customer-chat.ts).
  const sessions = await withRetries(async () => {
    if (stored.length === 1) {
      // Alone (a quiet moment): update and read in one round trip, and the answer says exactly whether it applied.
      const entry = stored[0]!;
      return [(await ChatSession.collection.findOneAndUpdate(filterOf(entry), updateOf(entry), { returnDocument: 'after' })) as ChatSessionDoc | null];
    }
    const updates: AnyBulkWriteOperation[] = stored.map((entry) => ({ updateOne: { filter: filterOf(entry), update: updateOf(entry) } }));
    await ChatSession.collection.bulkWrite(updates, { ordered: false });
    return ChatSession.collection
      .find({
        _id: { $in: stored.map((e) => e.message.sessionId) },
        orgId: { $in: [...new Map(stored.map((e) => [String(e.message.orgId), e.message.orgId])).values()] },
      })
      .toArray();
  });
  if (stored.length === 1) {
    const entry = stored[0]!;
    const session = sessions[0] as ChatSessionDoc | null;
    entry.done({ stored: true, session, recorded: session !== null || !entry.openOnly });
    return;
  }
  const byId = new Map(sessions.flatMap((s) => (s ? [[String(s._id), s as ChatSessionDoc] as const] : [])));
  for (const entry of stored) {
    const session = byId.get(String(entry.message.sessionId)) ?? null;
    entry.done({ stored: true, session, recorded: recordedIn(entry, session) });
  }
}

/** A message without a picture leaves `image` to the schema's default (null): its other fields are plain values, completed the quick way. */
function withoutEmptyImage(message: MessageWrite['message']): Partial<MessageWrite['message']> {
  if (message.image) return message;
  const { image: _none, ...rest } = message;
  return rest;
}

const SESSION_UPDATE_ATTEMPTS = 3;

async function withRetries<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await run();
    } catch (err) {
      if (attempt >= SESSION_UPDATE_ATTEMPTS) throw err;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}

/**
 * Whether the session counts the message, from the session as read after the group's updates. Closing is final,
 * so a session not closed now was not closed at the update: it applied. A closed one that numbers at least this
 * message has it recorded, or holds a later message (a closing message raced it): either way it stays, since taking
 * it back would leave a gap. Only a closed session still below this number refused the update.
 */
function recordedIn(entry: MessageWrite, session: ChatSessionDoc | null): boolean {
  if (!entry.openOnly) return true;
  if (!session) return false;
  return session.state !== 'closed' || session.seq >= entry.message.seq;
}
