// The console's connection: one Socket.IO socket (connected by main.ts once everything listens), requests with an
// acknowledgement, and ChatSync holding the messages of the sessions this console follows.
import { $ } from '../shared/dom.js';
import { ChatSync } from '../shared/chat-sync.js';
import type { Ack, PageIo } from '../shared/protocol.js';
import { t } from './config.js';
import { notice } from './alerts.js';

export function setStatus(text: string, kind: string): void {
  const badge = $('connection-status');
  badge.textContent = text;
  badge.className = `badge text-bg-${kind}`;
}

const io = (window as unknown as { io?: PageIo }).io;
if (typeof io !== 'function') {
  setStatus(t('noSocket'), 'danger');
  throw new Error('socket.io client missing');
}

export const socket = io({ autoConnect: false });

/** Resolves with the server's acknowledgement, or an `offline` / `timeout` failure: it never rejects. */
export function request<T = Record<string, never>>(event: string, payload: object = {}): Promise<Ack<T>> {
  return new Promise((resolve) => {
    if (!socket.connected) return resolve({ ok: false, error: { code: 'offline' } });
    socket
      .timeout(10_000)
      .emit(event, payload, (err: unknown, ack: Ack<T> | undefined) => resolve(err || !ack ? { ok: false, error: { code: 'timeout' } } : ack));
  });
}

let messagesChanged = (_sessionId: string): void => {};
/** The conversation listens here for messages ChatSync added (set once, by main.ts). */
export function onMessagesChanged(listener: (sessionId: string) => void): void {
  messagesChanged = listener;
}

export const chat = new ChatSync({
  socket,
  side: 'agent',
  onChange: (sessionId) => messagesChanged(sessionId),
  onError: (error) => {
    // Final errors reject the send (handled there); these are being retried by ChatSync.
    if (error?.code === 'internal' || error?.code === 'rate_limited') notice(t('errors.retrying'), 'warning');
  },
});
