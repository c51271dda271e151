import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { ChatChannelDoc } from './models/chat-channel.js';
import type { ChatMessageDoc, ChatSessionDoc } from './models/chat-session.js';
import type { OrgSettings } from './domain/settings.js';
import type { StaffCardRecord } from './services/org/staff-cards.js';
import { domainEvents } from './services/events.js';
import { shortMemo } from './services/short-memo.js';
import { inTurns } from './services/in-turn.js';

/**
 * The process-local state: caches, queues and in-memory limiters that live as long as the process. Installed once by
 * the entry point (main.ts, a script, the test setup) and closed on shutdown, so nothing is set up by importing a
 * module, and every piece is named here with its kind. Every cache is a guess that a guarded write or an event
 * corrects (see ARCHITECTURE.md, "Running many processes"): clearing one changes no answer, only what it costs.
 */

/** A map that forgets its least recently remembered entry beyond `max`: for guesses that may be read again. */
export class RecentMap<K, V> {
  readonly #entries = new Map<K, V>();
  constructor(readonly max: number) {}
  get(key: K): V | undefined {
    return this.#entries.get(key);
  }
  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.max) this.#entries.delete(this.#entries.keys().next().value!);
  }
  delete(key: K): void {
    this.#entries.delete(key);
  }
  clear(): void {
    this.#entries.clear();
  }
  get size(): number {
    return this.#entries.size;
  }
}

export type ShortMemo<T> = ReturnType<typeof shortMemo<T>>;

/** Work waiting to go in a group (see services/in-groups.ts). */
export type GroupQueue<T, R> = { waiting: { item: T; resolve: (r: R) => void; reject: (err: unknown) => void }[]; running: boolean };

/** One message to store and the session update that records it (its number, preview, reply window). */
export type MessageWrite = {
  message: ChatMessageDoc;
  sessionSet: Partial<ChatSessionDoc>;
  /** The session update applies only to a session not closed. */
  openOnly: boolean;
};
/**
 * - `stored`: the message is in the database and `session` is the session read after its update (null: gone);
 *   `recorded` says whether the session counts the message (false only for `openOnly` on a session that had closed).
 * - `refused`: the insert failed (a duplicate key decides numbers and repeats); nothing was written for it.
 */
export type MessageWritten = { stored: true; session: ChatSessionDoc | null; recorded: boolean } | { stored: false; error: Error & { code?: unknown } };
export type PendingWrite = MessageWrite & { done: (written: MessageWritten) => void; fail: (err: unknown) => void };

/** A visitor's open session as remembered: enough to number their next message without a read. */
export type OpenSessionRef = Pick<ChatSessionDoc, '_id' | 'orgId' | 'visitorId' | 'seq' | 'visibleSeq'>;
/** A session's last numbers: its sequence and the customer's visible number at that point. */
export type LastNumbers = { seq: number; visibleSeq: number };
export type RouterState = { running: boolean; requested: number; waiters: { upTo: number; resolve: (assigned: number) => void }[] };
export type PositionAsk = { queuedAt: number; resolve: (position: number) => void; reject: (err: unknown) => void };

/** Visitors remembered with their open session; beyond this the least recently used is forgotten (and read again). */
const REMEMBERED_VISITORS = 20_000;
/** Sessions whose last number this process remembers (only a first guess). */
const REMEMBERED_SESSIONS = 20_000;
/** Why each cache may be this stale is said where it is read (sessions.ts, channels.ts, presence.ts, customer-chat.ts). */
const SETTINGS_TTL_MS = 5_000;
const CHANNEL_TTL_MS = 5_000;
const AGENTS_ONLINE_TTL_MS = 1_000;
const AGENT_CARD_TTL_MS = 60_000;

function chatState() {
  return {
    /** The organisation's chat settings, per organisation id. */
    settings: shortMemo<OrgSettings>(SETTINGS_TTL_MS),
    /** Channels as a new conversation needs them, per `orgId:channelId`. */
    channels: shortMemo<ChatChannelDoc | null>(CHANNEL_TTL_MS),
    /** Whether anyone is there to answer, per organisation id. */
    agentsOnline: shortMemo<boolean>(AGENTS_ONLINE_TTL_MS),
    /** Agents' names and staff cards as the customer's side shows them, per agent id. */
    agentCards: shortMemo<StaffCardRecord | null>(AGENT_CARD_TTL_MS),
    /** Customers' message rate, one limiter per limit and window (`points/seconds`), counted per visitor. */
    messageLimiters: new Map<string, RateLimiterMemory>(),
    /** The session each visitor last wrote to through this process, per visitor id. */
    openSessions: new RecentMap<string, OpenSessionRef>(REMEMBERED_VISITORS),
    /** The last numbers this process stored, per session id. */
    lastSeqs: new RecentMap<string, LastNumbers>(REMEMBERED_SESSIONS),
    /** Appends to one session, one after another. */
    sessionTurns: inTurns(),
    /** Messages waiting for the group writer, and how many groups are being written. */
    writer: { queue: [] as PendingWrite[], writers: 0 },
    /** One router per organisation id. */
    routers: new Map<string, RouterState>(),
    /** Sessions whose queueing waits for the router's answer, with the session as the router last saw it. */
    awaitingRoute: new Map<string, ChatSessionDoc | null>(),
    /** Queue positions asked at the same moment, per organisation id. */
    positionAsks: new Map<string, { running: boolean; asks: PositionAsk[] }>(),
  };
}

export type ChatRuntime = ReturnType<typeof chatState>;
export type Runtime = {
  chat: ChatRuntime;
  /** Reads and writes gathered into groups, per named batcher (see services/in-groups.ts). */
  batches: Map<string, GroupQueue<unknown, unknown>>;
  realtime: {
    /** Socket events handled in the order they arrived, per key (see realtime/handler.ts). */
    arrivalOrder: ReturnType<typeof inTurns>;
  };
  /** Forgets every cached guess (tests change settings and channels behind the services' back). */
  clearCaches(): void;
};

let installed: { runtime: Runtime; stop: () => void } | null = null;

/** The installed runtime; a process that never installed one fails here rather than run on hidden state. */
export function runtime(): Runtime {
  if (!installed) throw new Error('The runtime is not installed: the entry point calls installRuntime() first (see server/main.ts).');
  return installed.runtime;
}

/** Installs the process's runtime (once: a second call answers the one installed). */
export function installRuntime(): Runtime {
  if (installed) return installed.runtime;
  const chat = chatState();
  const clearCaches = () => {
    chat.settings.clear();
    chat.channels.clear();
    chat.agentsOnline.clear();
    chat.agentCards.clear();
    chat.openSessions.clear();
    chat.lastSeqs.clear();
  };
  const forgetOpenSession = (visitorId: string, sessionId?: string) => {
    const known = chat.openSessions.get(visitorId);
    if (known && (!sessionId || String(known._id) === sessionId)) chat.openSessions.delete(visitorId);
  };
  // The caches' own corrections: a change seen in this process applies at once.
  const stops = [
    domainEvents.onEvent('org.settings_changed', ({ orgId }) => chat.settings.forget(orgId)),
    domainEvents.onEvent('chat.session', ({ visitorId, sessionId, session }) => {
      if (session.state === 'closed') forgetOpenSession(visitorId, sessionId);
    }),
    domainEvents.onEvent('chat.visitors_forgotten', ({ visitorIds }) => visitorIds.forEach((id) => forgetOpenSession(id))),
    // Someone who left has no card from then on, one who came back has it again, and a changed card shows at once.
    ...(['staff.access_revoked', 'staff.access_changed', 'staff.card_changed'] as const).map((event) =>
      domainEvents.onEvent(event, ({ staffId }) => chat.agentCards.forget(staffId)),
    ),
  ];
  const runtime: Runtime = { chat, batches: new Map(), realtime: { arrivalOrder: inTurns() }, clearCaches };
  installed = { runtime, stop: () => stops.forEach((stop) => stop()) };
  return runtime;
}

/**
 * Stops listening and forgets everything (on shutdown, after the servers stopped taking work). Nothing here holds a
 * timer: the writer and the batchers start theirs only while work waits, and finish it.
 */
export function closeRuntime(): void {
  if (!installed) return;
  installed.stop();
  installed.runtime.clearCaches();
  installed.runtime.chat.messageLimiters.clear();
  installed = null;
}
