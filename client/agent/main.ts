// The agent's live console (docs/realtime.md, "Live customer service"): lists from chat:overview kept current by
// chat:session pushes; messages of opened sessions through ChatSync (no loss across reconnects). This entry wires
// the page's controls and the socket's events to the modules, then connects.
import { $ } from '../shared/dom.js';
import type { AgentSession } from '../shared/protocol.js';
import { t } from './config.js';
import { accept, askToClose, closeCurrent, linkNewCustomer, transfer } from './actions.js';
import { notice } from './alerts.js';
import { cannedKey, closeCanned, updateCanned } from './canned.js';
import { isNote, renderComposerState, signalTyping, stopTyping } from './composer.js';
import { markRead, messagesChanged, openFromHash, openSession } from './conversation.js';
import { renderCurrent } from './current.js';
import { bindIntents } from './intents.js';
import { refreshWaits, renderLists, renderPresence } from './lists.js';
import { setCustomerTyping } from './messages.js';
import { bindNotifications } from './notifications.js';
import { sendCurrent, sendImage } from './sending.js';
import { loadOverview, sessionPushed, setPresence } from './sessions.js';
import { bindShortcuts } from './shortcuts.js';
import { bindSidebar } from './sidebar.js';
import { onMessagesChanged, setStatus, socket } from './socket.js';
import { current, pageVisible, state } from './store.js';

bindIntents({ openSession: (sessionId) => void openSession(sessionId), accept: (sessionId) => void accept(sessionId) });
onMessagesChanged(messagesChanged);

// ---- The connection

const presence = $<HTMLSelectElement>('presence');

socket.on('connect', () => {
  const reconnect = state.everConnected;
  state.connected = true;
  state.everConnected = true;
  setStatus(t('connected'), 'success');
  presence.disabled = false;
  void (async () => {
    await loadOverview();
    if (reconnect && state.presence === 'offline' && state.wantedPresence && state.wantedPresence !== 'offline') await setPresence(state.wantedPresence);
    if (state.currentId) await openSession(state.currentId, { keepScroll: true });
    else openFromHash();
  })();
  renderComposerState();
});

let serverEndedAt = 0;
socket.on('disconnect', (reason: string) => {
  state.connected = false;
  presence.disabled = true;
  // The server ends a console's sockets when the person's access changes or they sign out. Connecting again gets
  // the access they have now, or is refused (connect_error 'unauthenticated'); once, so a loop cannot start.
  const endedAgain = Date.now() - serverEndedAt < 10_000;
  if (reason === 'io server disconnect') serverEndedAt = Date.now();
  if (reason === 'io server disconnect' && endedAgain) setStatus(t('revoked'), 'danger');
  else {
    setStatus(t('reconnecting'), 'warning');
    if (reason === 'io server disconnect') socket.connect();
  }
  renderComposerState();
});

socket.on('connect_error', (err: Error | undefined) => {
  if (err?.message === 'unauthenticated') {
    setStatus(t('signedOut'), 'danger');
    socket.disconnect();
  } else setStatus(t('reconnecting'), 'warning');
});

socket.on('chat:session', (session: AgentSession) => sessionPushed(session));
// A customer's message brings the session it left (the reply window reopened) to those serving it, in the same push.
socket.on('chat:message', ({ session }: { session?: AgentSession } = {}) => session && sessionPushed(session));
// A clerk serving chats here hears of customers' comments and likes on her moments as they come (the menu badge
// counts them on the next page).
socket.on('moments:reaction', ({ kind }: { kind: string }) => notice(t(kind === 'like' ? 'momentReaction.like' : 'momentReaction.comment'), 'info'));
socket.on('chat:typing', ({ sessionId, typing }: { sessionId?: string; typing?: boolean } = {}) => {
  if (sessionId !== state.currentId) return;
  setCustomerTyping(Boolean(typing));
});

// ---- The page's controls

presence.addEventListener('change', () => void setPresence(presence.value));
$('transfer').addEventListener('click', () => {
  const to = $<HTMLSelectElement>('transfer-select').value;
  if (!to) return void $('transfer-select').focus();
  void transfer(to);
});
$('back-to-queue').addEventListener('click', () => void transfer(null));
$('accept-current').addEventListener('click', () => state.currentId && void accept(state.currentId));
$('close-session').addEventListener('click', askToClose);
$('close-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void closeCurrent($<HTMLSelectElement>('close-disposition').value);
});
$('create-customer').addEventListener('click', () => void linkNewCustomer());

$('internal-toggle').addEventListener('change', () => {
  if (isNote()) stopTyping();
  renderComposerState();
  $('composer').focus();
});
$<HTMLInputElement>('image-input').addEventListener('change', (event) => {
  const input = event.target as HTMLInputElement;
  const file = input.files?.[0];
  input.value = '';
  void sendImage(file);
});
$('composer-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void sendCurrent();
});

const composer = $<HTMLTextAreaElement>('composer');
composer.addEventListener('input', () => {
  updateCanned();
  if (composer.value.trim()) signalTyping();
});
composer.addEventListener('click', updateCanned);
composer.addEventListener('blur', () => setTimeout(closeCanned, 150));
composer.addEventListener('keydown', (event) => {
  if (cannedKey(event)) return;
  // Enter while an input method is composing (pinyin) picks the characters; it must not send.
  if (event.key === 'Enter' && !event.shiftKey && !event.altKey && !event.isComposing && event.keyCode !== 229) {
    event.preventDefault();
    void sendCurrent();
  }
});

bindShortcuts();
bindSidebar();
bindNotifications();

// ---- Page life

let lastVisibleRefresh = 0;
document.addEventListener('visibilitychange', () => {
  if (!pageVisible()) return;
  markRead();
  renderLists();
  // Another tab may have changed presence (no push for that): refresh now and then.
  if (Date.now() - lastVisibleRefresh > 10_000) {
    lastVisibleRefresh = Date.now();
    void loadOverview();
  }
});

// Wait times and the reply window's deadline move with the clock.
setInterval(() => {
  refreshWaits();
  if (current()) renderComposerState();
}, 15_000);

$('conversation-title').dataset.empty = $('conversation-title').textContent ?? '';
renderPresence();
renderCurrent();
socket.connect();
