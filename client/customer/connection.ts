// The customer's connection: the /customer namespace with the page's token, and ChatSync over it.
import { ChatSync } from '../shared/chat-sync.js';
import type { CustomerSession, PageIo } from '../shared/protocol.js';
import { config, showNotice, state } from './page.js';
import { remember as merge } from './state.js';

const io = (window as unknown as { io: PageIo }).io;
export const socket = io('/customer', { auth: { token: config.token, lang: config.lang }, transports: ['websocket', 'polling'] });

let changed = (): void => {};
/** The page redraws here when ChatSync added messages (set once, by main.ts). */
export function onMessagesChanged(listener: () => void): void {
  changed = listener;
}

export const sync = new ChatSync({
  socket,
  side: 'customer',
  onChange: () => changed(),
  onError: (error) => showNotice(error.localizedMessage || error.message || ''),
});

/** Takes in a session the server described, and follows its messages. */
export function remember(session: CustomerSession | null | undefined): void {
  if (!session) return;
  merge(state, session);
  sync.track(session.id);
}

/** Emits with an acknowledgement (the customer namespace answers every request). */
export function ask<T>(event: string, payload: object): Promise<{ ok: true; data: T } | { ok: false; error?: { localizedMessage?: string } } | undefined> {
  return new Promise((resolve) => socket.emit(event, payload, resolve));
}
