// The customer's chat page: one conversation with the brand across sessions, kept without loss by ChatSync. This
// entry wires the socket's events and the page's controls.
import { $ } from '../shared/dom.js';
import type { CustomerSession } from '../shared/protocol.js';
import type { SendError, SyncAnswer } from '../shared/chat-sync.js';
import { ask, onMessagesChanged, remember, socket, sync } from './connection.js';
import { config, showNotice, state, strings } from './page.js';
import { render } from './render.js';
import { settleCurrent } from './state.js';

onMessagesChanged(render);
const input = $<HTMLTextAreaElement>('message-input');

async function loadState(): Promise<void> {
  const ack = await ask<{ agentsOnline: boolean; session: CustomerSession | null }>('state', {});
  if (!ack?.ok) return;
  state.agentsOnline = ack.data.agentsOnline;
  if (ack.data.session) remember(ack.data.session);
  if (!state.oldestLoaded) await loadHistory();
  state.loaded = true;
  render();
}

async function loadHistory(): Promise<void> {
  const ack = await ask<{ sessions: (SyncAnswer & { session: CustomerSession })[] }>(
    'history',
    state.oldestLoaded ? { beforeSessionId: state.oldestLoaded, limit: 5 } : { limit: 5 },
  );
  if (!ack?.ok) return;
  for (const page of ack.data.sessions) {
    remember(page.session);
    sync.insert(page.messages);
    state.oldestLoaded = page.session.id;
  }
  settleCurrent(state);
  $('load-history').classList.toggle('d-none', ack.data.sessions.length < 5);
  render();
}

socket.on('connect', () => {
  showNotice('');
  void loadState();
});
socket.on('disconnect', (reason: string) => {
  // Ended by the server: its check of the token could not run (the database away) or the token ended. Connecting
  // again after a moment settles which (an ended token is refused with invalid_token, below).
  if (reason === 'io server disconnect') setTimeout(() => socket.connect(), 5000);
  render();
});
// Refused by the server (not a network failure), the client does not retry by itself: a token that no longer counts
// ends the page's chat; the database unreachable for a moment is tried again after the wait the server asks for.
const TRY_AGAIN = new Set(['database_unavailable', 'timeout', 'internal']);
type Refusal = Error & { data?: { code?: string; message: string; details?: { retryAfterSeconds?: number } } };
socket.on('connect_error', (err: Refusal | undefined) => {
  if (err?.data?.code === 'invalid_token') {
    socket.disconnect();
    showNotice(err.data.message);
  } else if (err?.data && TRY_AGAIN.has(err.data.code ?? '')) {
    showNotice(err.data.message);
    setTimeout(() => socket.connect(), Math.max(1, err.data.details?.retryAfterSeconds ?? 5) * 1000);
  }
  render();
});
socket.on('session', (session: CustomerSession) => {
  remember(session);
  render();
});
let typingTimer: ReturnType<typeof setTimeout> | undefined;
socket.on('typing', ({ typing }: { typing: boolean }) => {
  $('agent-typing').classList.toggle('d-none', !typing);
  clearTimeout(typingTimer);
  if (typing) typingTimer = setTimeout(() => $('agent-typing').classList.add('d-none'), 5000);
});

/** Shows a send as pending while it is on its way; the page is redrawn either way. */
async function whilePending(text: string, work: () => Promise<void>): Promise<void> {
  const key = Symbol('pending');
  state.pending.set(key, { text });
  render();
  try {
    await work();
  } finally {
    state.pending.delete(key);
    render();
  }
}

$('composer').addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = '';
  await whilePending(text, async () => {
    try {
      const data = await sync.send(text);
      remember(data.session as CustomerSession);
    } catch (error) {
      input.value = text; // nothing the customer typed is lost
      showNotice((error as Partial<SendError>).error?.localizedMessage || (error as Error).message);
    }
  });
});
input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $<HTMLFormElement>('composer').requestSubmit();
  }
});
let lastTyping = 0;
input.addEventListener('input', () => {
  if (Date.now() - lastTyping < 2000) return;
  lastTyping = Date.now();
  socket.emit('typing', { typing: true });
});
$('ask-agent').addEventListener('click', () =>
  socket.emit('request-agent', {}, (ack?: { ok: boolean; data: { session: CustomerSession } }) => ack?.ok && (remember(ack.data.session), render())),
);
$('load-history').addEventListener('click', () => void loadHistory());
$<HTMLInputElement>('image-input').addEventListener('change', async (event) => {
  const picker = event.target as HTMLInputElement;
  const file = picker.files?.[0];
  picker.value = '';
  if (!file) return;
  if (!config.imageTypes.includes(file.type)) return showNotice(strings.imageType);
  if (file.size > config.imageMaxBytes) return showNotice(strings.imageTooLarge);
  await whilePending(`[${strings.image}]`, async () => {
    try {
      const headers = { 'Content-Type': file.type, Accept: 'application/json', 'X-CSRF-Token': $<HTMLInputElement>('csrf').value };
      const response = await fetch(config.uploadUrl, { method: 'POST', body: file, headers, credentials: 'same-origin' });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(response.status === 413 ? strings.imageTooLarge : response.status === 429 ? strings.uploadBusy : strings.imageType);
      const data = await sync.send('', { imageId: body.imageId });
      remember(data.session as CustomerSession);
      showNotice('');
    } catch (error) {
      showNotice((error as Error).message);
    }
  });
});
$<HTMLFormElement>('rating-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const score = Number(new FormData(event.target as HTMLFormElement).get('score'));
  if (!score) return showNotice(strings.chooseScore);
  socket.emit(
    'rate',
    { sessionId: state.current, score, comment: $<HTMLTextAreaElement>('rating-comment').value },
    (ack?: { ok: boolean; data: { session: CustomerSession }; error?: { localizedMessage?: string } }) => {
      if (ack?.ok) {
        remember(ack.data.session);
        showNotice('');
        $('chat-status').textContent = strings.thanks;
      } else showNotice(ack?.error?.localizedMessage ?? strings.offline);
      render();
    },
  );
});
document.addEventListener('visibilitychange', () => render());
