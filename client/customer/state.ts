// What the customer's chat page knows, and the rules that change it, free of the DOM (tested in test/unit).
import type { CustomerSession } from '../shared/protocol.js';
import { fillPlaceholders } from '../shared/placeholders.js';

/** A session as the page holds it: what the server sent, and how far the customer has read (marked from here). */
export type PageSession = CustomerSession & { customerReadSeq?: number };

export type PageState = {
  sessions: Map<string, PageSession>;
  /** Session ids, oldest first. */
  order: string[];
  /** The session the page is about: the open one, else the latest. */
  current: string | null;
  /** Sends waiting for their acknowledgement, shown greyed. */
  pending: Map<symbol, { text: string }>;
  /** The oldest session loaded, where the next page of history starts. */
  oldestLoaded: string | null;
  agentsOnline: boolean;
  loaded: boolean;
};

export function createState(): PageState {
  return { sessions: new Map(), order: [], current: null, pending: new Map(), oldestLoaded: null, agentsOnline: true, loaded: false };
}

/** Merges a session into the page; an open session (or the first one known) becomes the current one. */
export function remember(state: PageState, session: CustomerSession): void {
  if (!state.sessions.has(session.id)) state.order.push(session.id);
  state.sessions.set(session.id, { ...(state.sessions.get(session.id) ?? {}), ...session });
  state.order.sort((a, b) => (state.sessions.get(a)!.createdAt ?? '').localeCompare(state.sessions.get(b)!.createdAt ?? ''));
  if (session.state !== 'closed' || !state.current || state.current === session.id) state.current = session.id;
}

/** After a page of history: a closed current session gives way to the latest one. */
export function settleCurrent(state: PageState): void {
  if (state.current && state.sessions.get(state.current)?.state === 'closed' && state.order.length) state.current = state.order[state.order.length - 1]!;
}

export type StatusStrings = Record<'offline' | 'ready' | 'nobodyOnline' | 'queued' | 'queuedFirst' | 'serving' | 'bot' | 'closed', string>;

/** The line above the conversation: who is there, or where the customer stands in the queue. */
export function statusLine(
  session: CustomerSession | null | undefined,
  { connected, agentsOnline }: { connected: boolean; agentsOnline: boolean },
  strings: StatusStrings,
): string {
  if (!connected) return strings.offline;
  if (!session) return agentsOnline ? strings.ready : strings.nobodyOnline;
  if (session.state === 'queued') {
    const ahead = Math.max(0, (session.queuePosition ?? 1) - 1);
    return ahead ? fillPlaceholders(strings.queued, { ahead }) : strings.queuedFirst;
  }
  if (session.state === 'serving') return fillPlaceholders(strings.serving, { name: session.agentName ?? '' });
  if (session.state === 'bot') return strings.bot;
  if (session.state === 'closed') return strings.closed;
  return strings.ready;
}
