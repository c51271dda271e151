// The realtime payloads both pages read, typed from the server's presenters (types only: no server code is bundled).
import type { MessageView, SessionView, presentEarlierSession, presentMessageForCustomer, presentSessionForCustomer } from '../../server/presenters/chat.js';

/** A message as either side holds it: the customer's numbering in `seq`; the agent's side also has `visibleSeq`. */
export type ChatMessage = ReturnType<typeof presentMessageForCustomer> & Partial<Pick<MessageView, 'visibleSeq'>>;
export type AgentMessage = MessageView;
export type AgentSession = SessionView;
export type CustomerSession = ReturnType<typeof presentSessionForCustomer>;
/** Dates arrive as ISO strings over the socket. */
export type EarlierSession = Omit<ReturnType<typeof presentEarlierSession>, 'createdAt' | 'closedAt'> & { createdAt: string; closedAt: string | null };

export type AckError = {
  code: string;
  message?: string;
  localizedMessage?: string;
  details?: { fields?: Record<string, string[]>; retryAfterSeconds?: number };
};
export type Ack<T> = { ok: true; data: T } | { ok: false; error: AckError };

/** What ChatSync needs of a Socket.IO client socket (the page's global io() or socket.io-client in tests). */
export interface SyncSocket {
  readonly connected: boolean;
  on(event: string, listener: (...args: any[]) => void): unknown;
  timeout(ms: number): { emit(event: string, ...args: any[]): unknown };
}

/** The Socket.IO client a page loads from /vendor/socket.io (a classic script before the bundle). */
export interface PageSocket extends SyncSocket {
  emit(event: string, ...args: any[]): unknown;
  connect(): unknown;
  disconnect(): unknown;
}
export type PageIo = (...args: any[]) => PageSocket;

/** The customer as the console's sidebar shows them (chat:open, chat:customer-tags). */
export type SidebarCustomer = {
  id: string | null;
  name: string;
  phone?: string;
  canOpen?: boolean;
  tags?: { id: string; name: string }[];
  tagChoices?: { id: string; name: string; group?: string | null }[];
  timeline?: { type: string; at: string; count: number; label?: string }[];
};
/** The open session's side details from chat:open. */
export type SessionDetails = { visitor: { name: string; phone: string }; customer: SidebarCustomer | null; earlier: EarlierSession[] };
export type OpenAnswer = SessionDetails & { session: AgentSession; messages: AgentMessage[] };
