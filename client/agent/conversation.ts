// Opening a conversation (chat:open), its address in the page's hash, new messages in it, and read marks.
import { $ } from '../shared/dom.js';
import type { OpenAnswer } from '../shared/protocol.js';
import { t } from './config.js';
import { showError } from './alerts.js';
import { closeCanned } from './canned.js';
import { stopTyping } from './composer.js';
import { renderCurrent } from './current.js';
import { renderLists } from './lists.js';
import { renderMessages, resetMessages, setCustomerTyping } from './messages.js';
import { alertUser } from './notifications.js';
import { forget } from './sessions.js';
import { chat, request } from './socket.js';
import { freshFromCustomer, readTarget, remember } from './state.js';
import { current, displayName, mine, open, pageVisible, queued, state, viewer } from './store.js';

function setHash(sessionId: string | null): void {
  const url = new URL(window.location.href);
  url.hash = sessionId ? `session=${sessionId}` : '';
  window.history.replaceState(null, '', url);
}

export function openFromHash(): void {
  const match = /session=([0-9a-f]{24})/.exec(window.location.hash);
  if (match && !state.currentId) void openSession(match[1]!);
}

/** Leaves the open conversation for another: a session that is not mine stops being followed. */
function leaveCurrent(previous: string): void {
  stopTyping();
  const prev = state.sessions.get(previous);
  if (!prev || !mine(prev)) {
    forget(previous);
    if (prev && !queued(prev)) state.sessions.delete(previous);
  }
  $<HTMLTextAreaElement>('composer').value = '';
  closeCanned();
}

export async function openSession(sessionId: string, { keepScroll = false } = {}): Promise<void> {
  const previous = state.currentId;
  if (previous && previous !== sessionId) leaveCurrent(previous);
  // A later open wins over an earlier one still waiting for its answer.
  const token = ++state.openToken;
  if (previous !== sessionId) {
    state.currentId = sessionId;
    open.details = null;
    setCustomerTyping(false);
    resetMessages();
    $('conversation-title').textContent = t('loading');
    renderLists();
  }
  const ack = await request<OpenAnswer>('chat:open', { sessionId });
  if (token !== state.openToken) return;
  if (!ack.ok) {
    showError(ack.error);
    if (previous !== sessionId) {
      state.currentId = null;
      setHash(null);
      renderCurrent();
      renderLists();
    }
    return;
  }
  const { session, messages, visitor, customer, earlier } = ack.data;
  remember(state, session);
  open.details = { visitor, customer, earlier };
  const newest = messages.reduce((max, m) => Math.max(max, m.seq), 0);
  state.announcedSeq.set(session.id, Math.max(state.announcedSeq.get(session.id) ?? 0, newest));
  // Opened at its latest messages: earlier ones are not held, so numbering starts at the first one received.
  chat.track(session.id, messages.length ? messages[0]!.seq : undefined);
  chat.insert(messages);
  setHash(session.id);
  renderCurrent();
  renderMessages({ toBottom: !keepScroll });
  renderLists();
  markRead();
}

/** ChatSync added messages to a session: announce the customer's, show them if it is open. */
export function messagesChanged(sessionId: string): void {
  const fromCustomer = freshFromCustomer(state, sessionId, chat.messagesOf(sessionId));
  if (fromCustomer.length) {
    if (sessionId === state.currentId) setCustomerTyping(false);
    const session = state.sessions.get(sessionId);
    if ((sessionId !== state.currentId || !pageVisible()) && (!session || mine(session) || sessionId === state.currentId)) {
      const last = fromCustomer[fromCustomer.length - 1]!;
      alertUser(t('notify.message', { name: displayName(session) }), last.text || t('image'), sessionId);
    }
  }
  if (sessionId === state.currentId) {
    renderMessages();
    markRead();
  }
  renderLists();
}

export function markRead(): void {
  const session = current();
  if (!pageVisible()) return;
  const newest = readTarget(state, viewer, session, session ? chat.messagesOf(session.id) : []);
  if (!session || newest === null) return;
  state.readInFlight.set(session.id, newest);
  void request<{ session: OpenAnswer['session'] }>('chat:read', { sessionId: session.id, seq: newest }).then((ack) => {
    state.readInFlight.delete(session.id);
    if (ack.ok) {
      remember(state, ack.data.session);
      renderLists();
    }
  });
}
