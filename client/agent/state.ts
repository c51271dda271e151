// The console's state and the rules that change it, free of the DOM so they run (and are tested) anywhere: which
// sessions the console lists, what an overview or a push does to them, unread counts, and whether the agent may send.
import { replyWindowOf, type ReplyWindow, type ReplyWindowLimits } from '../../server/domain/reply-window.js';
import type { AgentSession, ChatMessage } from '../shared/protocol.js';

export type Presence = 'online' | 'away' | 'offline';
/** Whose console this is: the agent, and the store a store-scoped manager is limited to. */
export type Viewer = { me: string; storeScope: { storeId?: string | null } | null };

export type ConsoleState = {
  connected: boolean;
  everConnected: boolean;
  presence: string;
  /** The presence this tab last saw chosen: restored after a reconnect that dropped the agent to offline. */
  wantedPresence: string | null;
  activeSessions: number;
  maxSessions: number;
  /** Sessions shown anywhere (mine, queue, the open one), by id, as the server last described them. */
  sessions: Map<string, AgentSession>;
  /** Unread counts from the last overview ({count, seq}); pushes carry none, so later ones are counted here. */
  unreadBase: Map<string, { count: number; seq: number }>;
  /** Per session, the highest seq already announced (sound, notification), so nothing rings twice. */
  announcedSeq: Map<string, number>;
  currentId: string | null;
  openToken: number;
  readInFlight: Map<string, number>;
};

export function createState(maxSessions: number): ConsoleState {
  return {
    connected: false,
    everConnected: false,
    presence: 'offline',
    wantedPresence: null,
    activeSessions: 0,
    maxSessions,
    sessions: new Map(),
    unreadBase: new Map(),
    announcedSeq: new Map(),
    currentId: null,
    openToken: 0,
    readInFlight: new Map(),
  };
}

export const inScope = (viewer: Viewer, session: Pick<AgentSession, 'storeId'>) =>
  !viewer.storeScope || (session.storeId ?? null) === (viewer.storeScope.storeId ?? null);
export const isMine = (viewer: Viewer, session: Pick<AgentSession, 'state' | 'agentId'>) => session.state === 'serving' && session.agentId === viewer.me;
export const isQueued = (viewer: Viewer, session: Pick<AgentSession, 'state' | 'storeId'>) => session.state === 'queued' && inScope(viewer, session);

/** Merges a session view into the state (pushes and acks omit the visitor's name, unread counts and queue positions). */
export function remember(state: ConsoleState, session: AgentSession): { prev: AgentSession | undefined; merged: AgentSession } {
  const prev = state.sessions.get(session.id);
  const merged = {
    ...prev,
    ...session,
    visitorName: session.visitorName ?? prev?.visitorName ?? null,
    agentName: session.agentName ?? prev?.agentName ?? null,
  };
  state.sessions.set(session.id, merged);
  if (!state.announcedSeq.has(session.id)) state.announcedSeq.set(session.id, session.seq ?? 0);
  return { prev, merged };
}

export type Overview = { presence: string; activeSessions: number; maxSessions: number; mine: AgentSession[]; queue: AgentSession[] };

/** Takes in a chat:overview answer; returns the sessions of mine that left the console (to stop following). */
export function applyOverview(state: ConsoleState, viewer: Viewer, overview: Overview): string[] {
  const { presence, activeSessions, maxSessions, mine, queue } = overview;
  state.presence = presence;
  if (presence !== 'offline') state.wantedPresence = presence;
  state.activeSessions = activeSessions;
  state.maxSessions = maxSessions;
  const listed = new Set([...mine, ...queue].map((s) => s.id));
  const gone: string[] = [];
  // Whatever the overview no longer lists has moved on while we were not looking.
  for (const [id, s] of state.sessions) {
    if (listed.has(id) || id === state.currentId || !(isMine(viewer, s) || isQueued(viewer, s))) continue;
    state.sessions.delete(id);
    if (isMine(viewer, s)) gone.push(id);
  }
  for (const s of mine) {
    remember(state, s);
    state.unreadBase.set(s.id, { count: s.unread ?? 0, seq: s.seq });
  }
  for (const s of queue) remember(state, s);
  return gone;
}

export type PushOutcome =
  | { kind: 'ignored' }
  /** Someone else's session that was still listed: dropped. */
  | { kind: 'dropped' }
  | { kind: 'kept'; session: AgentSession; ownershipChanged: boolean; newlyQueued: boolean; left: boolean; forget: boolean };

/** Takes in a chat:session push: what this console keeps of it, and what else it calls for. */
export function applyPush(state: ConsoleState, viewer: Viewer, session: AgentSession | null | undefined): PushOutcome {
  if (!session?.id || !inScope(viewer, session)) return { kind: 'ignored' };
  const known = state.sessions.get(session.id);
  const relevant = isMine(viewer, session) || isQueued(viewer, session) || session.id === state.currentId || (known && isMine(viewer, known));
  if (!relevant) {
    // Someone else's session: only the queue room told us; drop it if we still listed it.
    if (!known) return { kind: 'ignored' };
    state.sessions.delete(session.id);
    return { kind: 'dropped' };
  }
  const { prev, merged } = remember(state, session);
  const wasMine = Boolean(prev && isMine(viewer, prev));
  const newlyQueued = isQueued(viewer, merged) && !(prev && isQueued(viewer, prev)) && !wasMine;
  const left = !isMine(viewer, merged) && !isQueued(viewer, merged) && merged.id !== state.currentId;
  if (left) state.sessions.delete(merged.id);
  return { kind: 'kept', session: merged, ownershipChanged: wasMine !== isMine(viewer, merged), newlyQueued, left, forget: left && wasMine };
}

/** Customer messages the agent has not read: counted from the overview's figure, then from what arrived since. */
export function unreadOf(state: ConsoleState, session: AgentSession, held: ChatMessage[]): number {
  const read = session.agentReadSeq ?? 0;
  const customerAfter = (seq: number) => held.filter((m) => m.sender === 'customer' && m.seq > seq).length;
  const base = state.unreadBase.get(session.id);
  if (!base || read >= base.seq) return customerAfter(read);
  return base.count + customerAfter(base.seq);
}

/** The latest message a list shows: the newest held (not a note) if it is newer than the session's preview. */
export function lastMessageOf(session: AgentSession, held: ChatMessage[], imageLabel: string): { text: string; at: string | null } {
  const shown = held.filter((m) => !m.internal);
  const last = shown[shown.length - 1];
  if (last && (!session.lastMessageAt || Date.parse(last.createdAt) >= Date.parse(session.lastMessageAt))) {
    return { text: last.text || (last.image ? imageLabel : ''), at: last.createdAt };
  }
  return { text: session.lastMessagePreview || '', at: session.lastMessageAt };
}

const timeOf = (iso: string | null | undefined) => Date.parse(iso ?? '') || 0;

/** My sessions, the latest conversation first. */
export function mineInOrder(state: ConsoleState, viewer: Viewer, lastAt: (session: AgentSession) => string | null): AgentSession[] {
  const at = (s: AgentSession) => timeOf(lastAt(s) ?? s.createdAt);
  return [...state.sessions.values()].filter((s) => isMine(viewer, s)).sort((a, b) => at(b) - at(a));
}

/** The queue, longest waiting first. */
export function queueInOrder(state: ConsoleState, viewer: Viewer): AgentSession[] {
  const since = (s: AgentSession) => Date.parse((s.queuedAt ?? s.createdAt)!);
  return [...state.sessions.values()].filter((s) => isQueued(viewer, s)).sort((a, b) => since(a) - since(b) || (a.id < b.id ? -1 : 1));
}

export type SendingState = Omit<ReplyWindow, 'reason'> & { reason: ReplyWindow['reason'] | 'closed' | 'not_yours' };

/** Whether the agent may reply in a session now: the server's reply window, on a session that is theirs. */
export function sendingState(session: AgentSession | undefined, viewer: Viewer, limits: ReplyWindowLimits, now: Date): SendingState {
  if (!session) return { open: false, remaining: 0, closesAt: null, reason: null };
  if (session.state === 'closed') return { open: false, remaining: 0, closesAt: null, reason: 'closed' };
  if (session.state === 'serving' && session.agentId !== viewer.me) return { open: false, remaining: 0, closesAt: null, reason: 'not_yours' };
  return replyWindowOf(session, limits, now);
}

/**
 * The customer's messages that arrived since the last announcement (marking them announced). A session heard of
 * for the first time announces nothing: what it holds counts as seen.
 */
export function freshFromCustomer(state: ConsoleState, sessionId: string, held: ChatMessage[]): ChatMessage[] {
  const announced = state.announcedSeq.get(sessionId);
  if (announced === undefined) {
    state.announcedSeq.set(
      sessionId,
      held.reduce((max, m) => Math.max(max, m.seq), 0),
    );
    return [];
  }
  const fresh = held.filter((m) => m.seq > announced);
  if (fresh.length) state.announcedSeq.set(sessionId, fresh[fresh.length - 1]!.seq);
  return fresh.filter((m) => m.sender === 'customer');
}

/** The seq to mark read in the open session, or null when there is nothing new (or a mark is already on its way). */
export function readTarget(state: ConsoleState, viewer: Viewer, session: AgentSession | undefined, held: ChatMessage[]): number | null {
  if (!session || session.agentId !== viewer.me) return null;
  const newest = held.reduce((max, m) => Math.max(max, m.seq), 0);
  if (newest <= (session.agentReadSeq ?? 0) || (state.readInFlight.get(session.id) ?? 0) >= newest) return null;
  return newest;
}
