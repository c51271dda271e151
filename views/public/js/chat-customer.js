// The customer's chat page: one conversation with the brand across sessions, kept without loss by ChatSync.
import { ChatSync } from '/static/js/chat-sync.mjs';

const config = JSON.parse(document.getElementById('chat-config').textContent);
const strings = JSON.parse(document.getElementById('chat-strings').textContent);
const $ = (id) => document.getElementById(id);
const log = $('chat-log');
const input = $('message-input');
const status = $('chat-status');
const notice = $('chat-notice');

/** What the page knows: sessions in order, the current one, and messages waiting for their acknowledgement. */
const state = { sessions: new Map(), order: [], current: null, pending: new Map(), oldestLoaded: null, agentsOnline: true, loaded: false };

const socket = io('/customer', { auth: { token: config.token, lang: config.lang }, transports: ['websocket', 'polling'] });
const sync = new ChatSync({
  socket,
  side: 'customer',
  onChange: () => render(),
  onError: (error) => showNotice(error.localizedMessage || error.message),
});

function fill(template, values) {
  return template.replace(/\{\{(\w+)\}\}/g, (_, name) => String(values[name] ?? ''));
}

function showNotice(text) {
  notice.textContent = text;
  notice.classList.toggle('d-none', !text);
}

function time(iso) {
  return new Date(iso).toLocaleTimeString(config.lang, { hour: '2-digit', minute: '2-digit' });
}

function remember(session) {
  if (!session) return;
  if (!state.sessions.has(session.id)) state.order.push(session.id);
  state.sessions.set(session.id, { ...(state.sessions.get(session.id) ?? {}), ...session });
  state.order.sort((a, b) => (state.sessions.get(a).createdAt ?? '').localeCompare(state.sessions.get(b).createdAt ?? ''));
  if (session.state !== 'closed' || !state.current || state.current === session.id) state.current = session.id;
  sync.track(session.id);
}

function statusLine(session) {
  if (!socket.connected) return strings.offline;
  if (!session) return state.agentsOnline ? strings.ready : strings.nobodyOnline;
  if (session.state === 'queued') {
    const ahead = Math.max(0, (session.queuePosition ?? 1) - 1);
    return ahead ? fill(strings.queued, { ahead }) : strings.queuedFirst;
  }
  if (session.state === 'serving') return fill(strings.serving, { name: session.agentName ?? '' });
  if (session.state === 'bot') return strings.bot;
  if (session.state === 'closed') return strings.closed;
  return strings.ready;
}

/** Builds the conversation from ChatSync's messages (text only, never HTML) and the messages still being sent. */
function render() {
  const session = state.current ? state.sessions.get(state.current) : null;
  status.textContent = statusLine(session);
  $('ask-agent-box').classList.toggle('d-none', session?.state !== 'bot');
  const needsRating = session && session.state === 'closed' && !session.rated;
  $('rating-form').classList.toggle('d-none', !needsRating);
  const nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  log.replaceChildren();
  for (const sessionId of state.order) {
    const messages = sync.messagesOf(sessionId);
    if (!messages.length) continue;
    const divider = document.createElement('li');
    divider.className = 'text-center small text-body-secondary my-2';
    divider.textContent = new Date(state.sessions.get(sessionId).createdAt ?? messages[0].createdAt).toLocaleString(config.lang);
    log.append(divider);
    const readUpTo = state.sessions.get(sessionId).agentReadSeq ?? 0;
    for (const message of messages) log.append(bubble(message, message.sender === 'customer' && message.seq <= readUpTo));
  }
  for (const item of state.pending.values()) log.append(bubble({ sender: 'customer', text: item.text, createdAt: new Date().toISOString(), pending: true }, false));
  // Until the first message the screen says who is there to answer, from what the server last told.
  $('chat-intro').hidden = !state.loaded || log.childElementCount > 0;
  $('chat-intro-who').textContent = state.agentsOnline ? strings.introOnline : strings.introOffline;
  if (nearBottom) log.scrollTop = log.scrollHeight;
  const last = session ? sync.lastSeq(session.id) : 0;
  if (session && last > (session.customerReadSeq ?? 0) && document.visibilityState === 'visible') {
    session.customerReadSeq = last;
    socket.emit('read', { sessionId: session.id, seq: last }, () => {});
  }
}

function bubble(message, read) {
  const li = document.createElement('li');
  const mine = message.sender === 'customer';
  li.className = `d-flex mb-2 ${mine ? 'justify-content-end' : 'justify-content-start'}`;
  li.dataset.testid = 'message';
  li.dataset.sender = message.sender;
  if (message.seq) li.dataset.seq = String(message.seq);
  const box = document.createElement('div');
  box.className = `chat-bubble px-3 py-2 rounded-3 ${mine ? 'text-bg-success' : message.sender === 'agent' ? 'bg-white border' : 'bg-light border text-body-secondary'}`;
  const text = document.createElement('div');
  text.className = 'chat-text';
  text.textContent = message.text;
  if (message.image) {
    const img = document.createElement('img');
    img.src = `${config.imageBase}${encodeURIComponent(message.image.id)}`;
    img.alt = strings.image;
    img.className = 'chat-image rounded d-block';
    img.loading = 'lazy';
    box.append(img);
  }
  const meta = document.createElement('div');
  meta.className = 'small opacity-75 text-end';
  meta.textContent = `${time(message.createdAt)}${message.pending ? ` · ${strings.sending}` : read ? ` · ${strings.read}` : ''}`;
  box.append(text, meta);
  li.append(box);
  return li;
}

async function loadState() {
  const ack = await new Promise((resolve) => socket.emit('state', {}, resolve));
  if (!ack?.ok) return;
  state.agentsOnline = ack.data.agentsOnline;
  if (ack.data.session) remember(ack.data.session);
  if (!state.oldestLoaded) await loadHistory();
  state.loaded = true;
  render();
}

async function loadHistory() {
  const ack = await new Promise((resolve) => socket.emit('history', state.oldestLoaded ? { beforeSessionId: state.oldestLoaded, limit: 5 } : { limit: 5 }, resolve));
  if (!ack?.ok) return;
  for (const page of ack.data.sessions) {
    remember(page.session);
    sync.insert(page.messages);
    state.oldestLoaded = page.session.id;
  }
  if (state.current && state.sessions.get(state.current)?.state === 'closed' && state.order.length) state.current = state.order[state.order.length - 1];
  $('load-history').classList.toggle('d-none', ack.data.sessions.length < 5);
  render();
}

socket.on('connect', () => {
  showNotice('');
  void loadState();
});
socket.on('disconnect', (reason) => {
  // Ended by the server: its check of the token could not run (the database away) or the token ended. Connecting
  // again after a moment settles which (an ended token is refused with invalid_token, below).
  if (reason === 'io server disconnect') setTimeout(() => socket.connect(), 5000);
  render();
});
// Refused by the server (not a network failure), the client does not retry by itself: a token that no longer counts
// ends the page's chat; the database unreachable for a moment is tried again after the wait the server asks for.
const TRY_AGAIN = new Set(['database_unavailable', 'timeout', 'internal']);
socket.on('connect_error', (err) => {
  if (err?.data?.code === 'invalid_token') {
    socket.disconnect();
    showNotice(err.data.message);
  } else if (TRY_AGAIN.has(err?.data?.code)) {
    showNotice(err.data.message);
    setTimeout(() => socket.connect(), Math.max(1, err.data.details?.retryAfterSeconds ?? 5) * 1000);
  }
  render();
});
socket.on('session', (session) => {
  remember(session);
  render();
});
let typingTimer;
socket.on('typing', ({ typing }) => {
  $('agent-typing').classList.toggle('d-none', !typing);
  clearTimeout(typingTimer);
  if (typing) typingTimer = setTimeout(() => $('agent-typing').classList.add('d-none'), 5000);
});

$('composer').addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = '';
  const key = Symbol('pending');
  state.pending.set(key, { text });
  render();
  try {
    const data = await sync.send(text);
    remember(data.session);
  } catch (error) {
    input.value = text; // nothing the customer typed is lost
    showNotice(error.error?.localizedMessage || error.message);
  } finally {
    state.pending.delete(key);
    render();
  }
});
input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $('composer').requestSubmit();
  }
});
let lastTyping = 0;
input.addEventListener('input', () => {
  if (Date.now() - lastTyping < 2000) return;
  lastTyping = Date.now();
  socket.emit('typing', { typing: true });
});
$('ask-agent').addEventListener('click', () => socket.emit('request-agent', {}, (ack) => ack?.ok && (remember(ack.data.session), render())));
$('load-history').addEventListener('click', () => void loadHistory());
$('image-input').addEventListener('change', async (event) => {
  const file = event.target.files?.[0];
  event.target.value = '';
  if (!file) return;
  if (!config.imageTypes.includes(file.type)) return showNotice(strings.imageType);
  if (file.size > config.imageMaxBytes) return showNotice(strings.imageTooLarge);
  const key = Symbol('pending');
  state.pending.set(key, { text: `[${strings.image}]` });
  render();
  try {
    const response = await fetch(config.uploadUrl, { method: 'POST', body: file, headers: { 'Content-Type': file.type, Accept: 'application/json', 'X-CSRF-Token': $('csrf').value }, credentials: 'same-origin' });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(response.status === 413 ? strings.imageTooLarge : response.status === 429 ? strings.uploadBusy : strings.imageType);
    const data = await sync.send('', { imageId: body.imageId });
    remember(data.session);
    showNotice('');
  } catch (error) {
    showNotice(error.message);
  } finally {
    state.pending.delete(key);
    render();
  }
});
$('rating-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const score = Number(new FormData(event.target).get('score'));
  if (!score) return showNotice(strings.chooseScore);
  socket.emit('rate', { sessionId: state.current, score, comment: $('rating-comment').value }, (ack) => {
    if (ack?.ok) {
      remember(ack.data.session);
      showNotice('');
      status.textContent = strings.thanks;
    } else showNotice(ack?.error?.localizedMessage ?? strings.offline);
    render();
  });
});
document.addEventListener('visibilitychange', () => render());
