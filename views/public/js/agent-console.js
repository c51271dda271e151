// The agent's live console (docs/realtime.md, "Live customer service"): lists from chat:overview kept current by
// chat:session pushes; messages of opened sessions through ChatSync (no loss across reconnects). User text is only
// ever set with textContent.
import { ChatSync } from '/static/js/chat-sync.mjs';

const $ = (id) => document.getElementById(id);
const readJson = (id) => JSON.parse($(id)?.textContent || 'null') ?? {};
const config = readJson('console-config');
const strings = readJson('console-strings');
const me = config.me;

function t(path, params = {}) {
  const value = path.split('.').reduce((node, key) => (node && typeof node === 'object' ? node[key] : undefined), strings);
  const text = typeof value === 'string' ? value : path;
  return text.replace(/\{(\w+)\}/g, (whole, key) => (key in params ? String(params[key]) : whole));
}

/** Builds an element; `text` goes through textContent, attributes through setAttribute (never markup). */
function h(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') node.textContent = String(value);
    else if (key === 'className') node.className = value;
    else if (key === 'on') for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

// ---------------------------------------------------------------------------------------------------------------
// Formatting

const timeFormat = new Intl.DateTimeFormat(config.locale, { timeZone: config.timezone, hour: '2-digit', minute: '2-digit' });
const dayTimeFormat = new Intl.DateTimeFormat(config.locale, { timeZone: config.timezone, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat(config.locale, { timeZone: config.timezone, year: 'numeric', month: 'short', day: 'numeric' });
const dayKey = new Intl.DateTimeFormat('en-CA', { timeZone: config.timezone, year: 'numeric', month: '2-digit', day: '2-digit' });

function formatTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return dayKey.format(date) === dayKey.format(new Date()) ? timeFormat.format(date) : dayTimeFormat.format(date);
}

function formatWait(iso) {
  const minutes = Math.floor((Date.now() - Date.parse(iso)) / 60_000);
  if (!iso || Number.isNaN(minutes) || minutes < 1) return t('lessThanMinute');
  if (minutes < 60) return t('minutes', { n: minutes });
  return t('hoursMinutes', { h: Math.floor(minutes / 60), m: minutes % 60 });
}

// ---------------------------------------------------------------------------------------------------------------
// State

const state = {
  connected: false,
  everConnected: false,
  presence: 'offline',
  /** The presence this tab last saw chosen: restored after a reconnect that dropped the agent to offline. */
  wantedPresence: null,
  activeSessions: 0,
  maxSessions: config.maxSessions,
  /** Sessions shown anywhere (mine, queue, the open one), by id, as the server last described them. */
  sessions: new Map(),
  /** Unread counts from the last overview ({count, seq}); pushes carry none, so later ones are counted here. */
  unreadBase: new Map(),
  /** Per session, the highest seq already announced (sound, notification), so nothing rings twice. */
  announcedSeq: new Map(),
  currentId: null,
  /** The open session's side details from chat:open. */
  details: null,
  openToken: 0,
  customerTyping: false,
  readInFlight: new Map(),
};

const agentNames = new Map((config.agents ?? []).map((a) => [a.id, a.name]));

function inScope(session) {
  return !config.storeScope || (session.storeId ?? null) === (config.storeScope.storeId ?? null);
}
const isMine = (s) => s.state === 'serving' && s.agentId === me;
const isQueued = (s) => s.state === 'queued' && inScope(s);
const current = () => (state.currentId ? state.sessions.get(state.currentId) : undefined);
const displayName = (s) => s?.visitorName || t('sender.customer');

// ---------------------------------------------------------------------------------------------------------------
// Alerts

function notice(text, kind = 'info', { sticky = false } = {}) {
  const box = $('console-alerts');
  const alert = h('div', { className: `alert alert-${kind} alert-dismissible py-2 mb-3`, role: kind === 'danger' || kind === 'warning' ? 'alert' : 'status' }, [
    h('span', { text }),
    h('button', { type: 'button', className: 'btn-close py-2', 'data-bs-dismiss': 'alert', 'aria-label': t('dismiss') }),
  ]);
  box.append(alert);
  while (box.children.length > 3) box.firstElementChild.remove();
  if (!sticky) setTimeout(() => alert.remove(), 8000);
  return alert;
}

/** A server error in words: its localized message when the server has one, else ours by code. */
function errorText(error) {
  if (!error) return t('errors.generic');
  const localized = error.localizedMessage;
  // A missing translation comes back as its key ("chat.errors.notQueued"): not for people.
  if (localized && !/^[\w-]+(\.[\w-]+)+$/.test(localized)) return localized;
  const fields = error.details?.fields ?? {};
  if (Object.values(fields).flat().includes('too_long')) return t('errors.too_long', { max: config.messageMax });
  const key = `errors.${error.code}`;
  const own = t(key, { max: state.maxSessions });
  return own === key ? t('errors.generic') : own;
}

function showError(error) {
  notice(errorText(error), 'danger');
}

// ---------------------------------------------------------------------------------------------------------------
// Socket

const statusBadge = $('connection-status');
function setStatus(text, kind) {
  statusBadge.textContent = text;
  statusBadge.className = `badge text-bg-${kind}`;
}

if (typeof window.io !== 'function') {
  setStatus(t('noSocket'), 'danger');
  throw new Error('socket.io client missing');
}

const socket = window.io({ autoConnect: false });

function request(event, payload = {}) {
  return new Promise((resolve) => {
    if (!socket.connected) return resolve({ ok: false, error: { code: 'offline' } });
    socket.timeout(10_000).emit(event, payload, (err, ack) => resolve(err || !ack ? { ok: false, error: { code: 'timeout' } } : ack));
  });
}

const chat = new ChatSync({
  socket,
  side: 'agent',
  onChange: (sessionId) => messagesChanged(sessionId),
  onError: (error) => {
    // Final errors reject the send (handled there); these are being retried by ChatSync.
    if (error?.code === 'internal' || error?.code === 'rate_limited') notice(t('errors.retrying'), 'warning');
  },
});

/** Stops following a session that left this console. */
function forget(sessionId) {
  chat.untrack(sessionId);
  state.unreadBase.delete(sessionId);
  void request('chat:leave', { sessionId });
}

socket.on('connect', () => {
  const reconnect = state.everConnected;
  state.connected = true;
  state.everConnected = true;
  setStatus(t('connected'), 'success');
  $('presence').disabled = false;
  void (async () => {
    await loadOverview();
    if (reconnect && state.presence === 'offline' && state.wantedPresence && state.wantedPresence !== 'offline') await setPresence(state.wantedPresence);
    if (state.currentId) await openSession(state.currentId, { keepScroll: true });
    else openFromHash();
  })();
  renderComposerState();
});

let serverEndedAt = 0;
socket.on('disconnect', (reason) => {
  state.connected = false;
  $('presence').disabled = true;
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

socket.on('connect_error', (err) => {
  if (err?.message === 'unauthenticated') {
    setStatus(t('signedOut'), 'danger');
    socket.disconnect();
  } else setStatus(t('reconnecting'), 'warning');
});

socket.on('chat:session', (session) => sessionPushed(session));
// A clerk serving chats here hears of customers' comments and likes on her moments as they come (the menu badge
// counts them on the next page).
socket.on('moments:reaction', ({ kind }) => notice(t(kind === 'like' ? 'momentReaction.like' : 'momentReaction.comment'), 'info'));

socket.on('chat:typing', ({ sessionId, typing } = {}) => {
  if (sessionId !== state.currentId) return;
  setCustomerTyping(Boolean(typing));
});

// ---------------------------------------------------------------------------------------------------------------
// Overview, sessions and lists

let overviewTimer = null;
function scheduleOverview() {
  clearTimeout(overviewTimer);
  overviewTimer = setTimeout(() => void loadOverview(), 250);
}

async function loadOverview() {
  const ack = await request('chat:overview');
  if (!ack.ok) {
    if (ack.error?.code !== 'offline') showError(ack.error);
    return;
  }
  const { presence, activeSessions, maxSessions, mine, queue } = ack.data;
  state.presence = presence;
  if (presence !== 'offline') state.wantedPresence = presence;
  state.activeSessions = activeSessions;
  state.maxSessions = maxSessions;
  const listed = new Set([...mine, ...queue].map((s) => s.id));
  // Whatever the overview no longer lists has moved on while we were not looking.
  for (const [id, s] of state.sessions) {
    if (listed.has(id) || id === state.currentId || !(isMine(s) || isQueued(s))) continue;
    state.sessions.delete(id);
    if (isMine(s)) forget(id);
  }
  for (const s of mine) {
    remember(s);
    state.unreadBase.set(s.id, { count: s.unread ?? 0, seq: s.seq });
  }
  for (const s of queue) remember(s);
  renderPresence();
  renderLists();
  renderCurrent();
}

/** Merges a session view into the state (pushes and acks omit the visitor's name, unread counts and queue positions). */
function remember(session) {
  const prev = state.sessions.get(session.id);
  const merged = { ...prev, ...session, visitorName: session.visitorName ?? prev?.visitorName ?? null, agentName: session.agentName ?? prev?.agentName ?? null };
  state.sessions.set(session.id, merged);
  if (!state.announcedSeq.has(session.id)) state.announcedSeq.set(session.id, session.seq ?? 0);
  return { prev, merged };
}

function sessionPushed(session) {
  if (!session?.id || !inScope(session)) return;
  const known = state.sessions.get(session.id);
  const relevant = isMine(session) || isQueued(session) || session.id === state.currentId || (known && isMine(known));
  if (!relevant) {
    // Someone else's session: only the queue room told us; drop it if we still listed it.
    if (known) {
      state.sessions.delete(session.id);
      renderLists();
    }
    return;
  }
  const { prev, merged } = remember(session);
  const wasMine = Boolean(prev && isMine(prev));
  if (wasMine !== isMine(merged)) scheduleOverview();
  if (isQueued(merged) && !(prev && isQueued(prev)) && !wasMine) announceQueued(merged.id);
  if (!isMine(merged) && !isQueued(merged) && merged.id !== state.currentId) {
    state.sessions.delete(merged.id);
    if (wasMine) forget(merged.id);
  }
  renderLists();
  if (merged.id === state.currentId) renderCurrent();
}

function unreadOf(session) {
  const read = session.agentReadSeq ?? 0;
  const held = chat.messagesOf(session.id);
  const customerAfter = (seq) => held.filter((m) => m.sender === 'customer' && m.seq > seq).length;
  const base = state.unreadBase.get(session.id);
  if (!base || read >= base.seq) return customerAfter(read);
  return base.count + customerAfter(base.seq);
}

function lastMessageOf(session) {
  const held = chat.messagesOf(session.id).filter((m) => !m.internal);
  const last = held[held.length - 1];
  if (last && (!session.lastMessageAt || Date.parse(last.createdAt) >= Date.parse(session.lastMessageAt))) {
    return { text: last.text || (last.image ? t('image') : ''), at: last.createdAt };
  }
  return { text: session.lastMessagePreview || '', at: session.lastMessageAt };
}

const byRecent = (a, b) => Date.parse(lastMessageOf(b).at ?? b.createdAt ?? 0) - Date.parse(lastMessageOf(a).at ?? a.createdAt ?? 0);
const byQueued = (a, b) => Date.parse(a.queuedAt ?? a.createdAt) - Date.parse(b.queuedAt ?? b.createdAt) || (a.id < b.id ? -1 : 1);

function mineInOrder() {
  return [...state.sessions.values()].filter(isMine).sort(byRecent);
}

/** Re-renders a list, giving focus back to the control that had it (matched by data-focus-key). */
function replaceList(container, nodes) {
  const focused = document.activeElement?.closest?.('[data-focus-key]');
  const key = focused && container.contains(focused) ? focused.getAttribute('data-focus-key') : null;
  container.replaceChildren(...nodes);
  if (key) container.querySelector(`[data-focus-key="${CSS.escape(key)}"]`)?.focus();
}

function renderLists() {
  const mine = mineInOrder();
  replaceList(
    $('mine-list'),
    mine.map((s) => {
      const unread = s.id === state.currentId && pageVisible() ? 0 : unreadOf(s);
      const last = lastMessageOf(s);
      return h(
        'button',
        {
          type: 'button',
          className: `list-group-item list-group-item-action${s.id === state.currentId ? ' active' : ''}`,
          'aria-current': s.id === state.currentId ? 'true' : null,
          'data-testid': 'my-session',
          'data-session-id': s.id,
          'data-unread': String(unread),
          'data-focus-key': `mine:${s.id}`,
          on: { click: () => void openSession(s.id) },
        },
        [
          h('span', { className: 'd-flex align-items-center gap-2' }, [
            h('span', { className: 'fw-semibold text-truncate me-auto', text: displayName(s) }),
            unread > 0 ? h('span', { className: 'badge rounded-pill text-bg-danger', 'data-testid': 'unread-badge', 'aria-label': t('unread', { n: unread }), text: String(unread) }) : null,
            h('small', { className: 'text-nowrap opacity-75', text: formatTime(last.at) }),
          ]),
          h('span', { className: 'd-block small text-truncate opacity-75', text: last.text || t('noPreview') }),
        ],
      );
    }),
  );
  $('mine-empty').hidden = mine.length > 0;
  $('mine-count').textContent = String(mine.length);

  const queue = [...state.sessions.values()].filter(isQueued).sort(byQueued);
  replaceList(
    $('queue-list'),
    queue.map((s, index) =>
      h('div', { className: `list-group-item d-flex gap-2 align-items-start${s.id === state.currentId ? ' list-group-item-primary' : ''}`, 'data-testid': 'queue-item', 'data-session-id': s.id }, [
        h('div', { className: 'flex-grow-1 overflow-hidden' }, [
          h('button', { type: 'button', className: 'btn btn-link p-0 fw-semibold text-decoration-none text-start text-break', 'data-focus-key': `peek:${s.id}`, text: displayName(s), on: { click: () => void openSession(s.id) } }),
          h('div', { className: 'small text-body-secondary text-truncate', text: s.lastMessagePreview || t('noPreview') }),
          h('div', { className: 'small text-body-secondary' }, [
            h('span', { text: `${t('queuePosition', { n: index + 1 })} · ` }),
            h('span', { 'data-wait-since': s.queuedAt ?? s.createdAt, text: t('waiting', { time: formatWait(s.queuedAt ?? s.createdAt) }) }),
          ]),
        ]),
        h('button', { type: 'button', className: 'btn btn-success btn-sm text-nowrap', 'data-testid': 'accept', 'data-focus-key': `accept:${s.id}`, text: t('accept'), on: { click: () => void accept(s.id) } }),
      ]),
    ),
  );
  $('queue-empty').hidden = queue.length > 0;
  $('queue-count').textContent = String(queue.length);
  document.title = document.title.replace(/^\(\d+\) /, '');
  const totalUnread = mine.reduce((sum, s) => sum + (s.id === state.currentId && pageVisible() ? 0 : unreadOf(s)), 0);
  if (totalUnread > 0) document.title = `(${totalUnread}) ${document.title}`;
}

function renderPresence() {
  const select = $('presence');
  select.value = state.presence;
  select.dataset.status = state.presence;
  $('load').textContent = t('load', { active: state.activeSessions, max: state.maxSessions });
}

async function setPresence(status) {
  const ack = await request('chat:presence', { status });
  if (!ack.ok) {
    showError(ack.error);
    renderPresence();
    return;
  }
  state.presence = ack.data.status;
  state.wantedPresence = ack.data.status;
  renderPresence();
  // Going online routes the waiting queue: the lists change.
  await loadOverview();
}

$('presence').addEventListener('change', (event) => void setPresence(event.target.value));

// ---------------------------------------------------------------------------------------------------------------
// Actions

async function accept(sessionId) {
  const ack = await request('chat:accept', { sessionId });
  if (!ack.ok) {
    showError(ack.error);
    if (ack.error?.code === 'not_queued') scheduleOverview();
    return;
  }
  remember(ack.data.session);
  notice(t('done.accepted', { name: displayName(state.sessions.get(sessionId)) }), 'success');
  await loadOverview();
  await openSession(sessionId);
  $('composer').focus();
}

async function transfer(toAgentId) {
  const session = current();
  if (!session) return;
  const note = $('transfer-note').value.trim();
  // "store:<id>" names a store's team: back to the queue, offered to that store's agents first.
  const toStoreId = toAgentId?.startsWith('store:') ? toAgentId.slice('store:'.length) : null;
  const payload = toStoreId ? { sessionId: session.id, toAgentId: null, toStoreId, note } : { sessionId: session.id, toAgentId, note };
  const ack = await request('chat:transfer', payload);
  if (!ack.ok) return showError(ack.error);
  $('transfer-note').value = '';
  remember(ack.data.session);
  const name = toStoreId ? $('transfer-select').selectedOptions[0]?.textContent ?? '' : agentNames.get(toAgentId) ?? '';
  notice(toAgentId && !toStoreId ? t('done.transferred', { name }) : toStoreId ? t('done.toTeam', { name }) : t('done.requeued'), 'success');
  await loadOverview();
  renderCurrent();
}

$('transfer').addEventListener('click', () => {
  const to = $('transfer-select').value;
  if (!to) {
    $('transfer-select').focus();
    return;
  }
  void transfer(to);
});
$('back-to-queue').addEventListener('click', () => void transfer(null));
$('accept-current').addEventListener('click', () => state.currentId && void accept(state.currentId));

const closeDialog = $('close-dialog');
function closeModal() {
  return window.bootstrap?.Modal ? window.bootstrap.Modal.getOrCreateInstance(closeDialog) : null;
}

function askToClose() {
  const session = current();
  if (!session || session.state === 'closed' || $('session-actions').hidden) return;
  $('close-disposition').value = 'resolved';
  const modal = closeModal();
  if (modal) {
    closeDialog.addEventListener('shown.bs.modal', () => $('close-disposition').focus(), { once: true });
    modal.show();
  } else if (window.confirm(t('closeQuestion'))) void closeCurrent('resolved');
}

async function closeCurrent(disposition) {
  const session = current();
  if (!session) return;
  const ack = await request('chat:close', { sessionId: session.id, disposition });
  closeModal()?.hide();
  if (!ack.ok) return showError(ack.error);
  remember(ack.data.session);
  notice(t('done.closed'), 'success');
  await loadOverview();
  renderCurrent();
}

$('close-session').addEventListener('click', askToClose);
$('close-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void closeCurrent($('close-disposition').value);
});

async function linkNewCustomer() {
  const session = current();
  if (!session) return;
  const button = $('create-customer');
  button.disabled = true;
  const ack = await request('chat:link-customer', { sessionId: session.id, customerId: null });
  button.disabled = false;
  if (!ack.ok) return showError(ack.error);
  remember(ack.data.session);
  notice(t('done.customerCreated'), 'success');
  if (state.details && !state.details.customer) state.details.customer = { id: ack.data.session.customerId, name: state.details.visitor?.name ?? '' };
  if (state.details) state.details.earlier = ack.data.earlier;
  renderSidebar();
}
$('create-customer').addEventListener('click', () => void linkNewCustomer());

// ---------------------------------------------------------------------------------------------------------------
// The open conversation

function pageVisible() {
  return document.visibilityState === 'visible';
}

function setHash(sessionId) {
  const url = new URL(window.location.href);
  url.hash = sessionId ? `session=${sessionId}` : '';
  window.history.replaceState(null, '', url);
}

function openFromHash() {
  const match = /session=([0-9a-f]{24})/.exec(window.location.hash);
  if (match && !state.currentId) void openSession(match[1]);
}

async function openSession(sessionId, { keepScroll = false } = {}) {
  const previous = state.currentId;
  if (previous && previous !== sessionId) {
    stopTyping();
    const prev = state.sessions.get(previous);
    if (!prev || !isMine(prev)) {
      forget(previous);
      if (prev && !isQueued(prev)) state.sessions.delete(previous);
    }
    $('composer').value = '';
    closeCanned();
  }
  const token = ++state.openToken;
  if (previous !== sessionId) {
    state.currentId = sessionId;
    state.details = null;
    setCustomerTyping(false);
    resetMessages();
    $('conversation-title').textContent = t('loading');
    renderLists();
  }
  const ack = await request('chat:open', { sessionId });
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
  remember(session);
  state.details = { visitor, customer, earlier };
  const newest = messages.reduce((max, m) => Math.max(max, m.seq), 0);
  state.announcedSeq.set(session.id, Math.max(state.announcedSeq.get(session.id) ?? 0, newest));
  // Opened at its latest messages: earlier ones are not held, so numbering starts at the first one received.
  chat.track(session.id, messages.length ? messages[0].seq : undefined);
  chat.insert(messages);
  setHash(session.id);
  renderCurrent();
  renderMessages({ toBottom: !keepScroll });
  renderLists();
  markRead();
}

function renderCurrent() {
  const session = current();
  const hasSession = Boolean(session);
  $('session-state').hidden = !hasSession;
  if (!hasSession) {
    $('conversation-title').textContent = $('conversation-title').dataset.empty ?? $('conversation-title').textContent;
    $('session-actions').hidden = true;
    $('accept-current').hidden = true;
    renderSidebar();
    renderComposerState();
    return;
  }
  const stateText = t(`states.${session.state}`);
  $('conversation-title').textContent = displayName(session);
  $('session-state').textContent = session.state === 'serving' && session.agentId !== me && session.agentName ? `${stateText} · ${t('servedBy', { name: session.agentName })}` : stateText;
  $('session-state').className = `badge text-bg-${{ serving: 'success', queued: 'warning', closed: 'secondary' }[session.state] ?? 'info'}`;
  $('session-state').dataset.state = session.state;
  $('accept-current').hidden = !isQueued(session);
  $('session-actions').hidden = !isMine(session);
  renderSidebar();
  renderComposerState();
  updateReceipts();
}

// ---------------------------------------------------------------------------------------------------------------
// Messages

let rendered = { sessionId: null, nodes: new Map() };

function resetMessages() {
  $('message-list').replaceChildren();
  $('pending-list').replaceChildren();
  rendered = { sessionId: state.currentId, nodes: new Map() };
}

function senderLabel(message) {
  if (message.sender === 'customer') return displayName(current());
  if (message.sender === 'agent') return message.agentId === me ? t('sender.me') : agentNames.get(message.agentId) ?? t('sender.agent');
  return t(`sender.${message.sender}`);
}

function messageNode(message) {
  const { sender, internal } = message;
  const outgoing = sender === 'agent' || (sender === 'system' && internal);
  const align = sender === 'system' && !internal ? 'justify-content-center' : outgoing ? 'justify-content-end' : 'justify-content-start';
  const tone = internal
    ? 'bg-warning-subtle border border-2 border-warning agent-console-note'
    : sender === 'agent'
      ? 'bg-primary-subtle'
      : sender === 'bot'
        ? 'bg-info-subtle'
        : sender === 'system'
          ? 'bg-body-secondary small'
          : 'bg-body-tertiary border';
  const label = internal ? `${senderLabel(message)} · ${t('internal')}` : senderLabel(message);
  const text = message.text || (sender === 'system' && internal ? t('systemEvent') : '');
  const bubble = h('div', { className: `agent-console-bubble rounded-3 px-3 py-2 ${tone}` }, [
    h('div', { className: 'small text-body-secondary d-flex flex-wrap gap-2' }, [h('span', { className: 'fw-semibold', text: label }), h('time', { datetime: message.createdAt, text: formatTime(message.createdAt) })]),
    message.image ? h('img', { src: message.image.url ?? `/chat/images/${encodeURIComponent(message.image.id)}`, alt: t('image'), className: 'img-fluid rounded agent-console-image d-block my-1' }) : null,
    text ? h('div', { className: 'agent-console-text', text }) : null,
    sender === 'agent' && !internal ? h('div', { className: 'small text-body-secondary text-end', 'data-testid': 'read-receipt' }) : null,
  ]);
  return h('li', { className: `d-flex mb-2 ${align}`, 'data-testid': 'message', 'data-seq': String(message.seq), 'data-sender': sender, 'data-internal': internal ? 'true' : 'false', 'data-client-id': message.clientId }, [bubble]);
}

function updateReceipts() {
  const session = current();
  if (!session) return;
  const readSeq = session.customerReadSeq ?? 0;
  for (const node of $('message-list').querySelectorAll('[data-testid="read-receipt"]')) {
    const seq = Number(node.closest('[data-seq]').dataset.seq);
    const read = readSeq >= seq;
    node.textContent = read ? t('read') : t('unreadReceipt');
    node.dataset.read = String(read);
  }
}

function renderMessages({ toBottom = false } = {}) {
  const sessionId = state.currentId;
  if (!sessionId) return;
  if (rendered.sessionId !== sessionId) resetMessages();
  const scroller = $('message-scroll');
  const nearBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
  const list = $('message-list');
  let anchor = null;
  let addedOwn = false;
  for (const message of chat.messagesOf(sessionId)) {
    let node = rendered.nodes.get(message.seq);
    if (!node) {
      node = messageNode(message);
      rendered.nodes.set(message.seq, node);
      if (anchor) anchor.after(node);
      else list.prepend(node);
      if (message.sender === 'agent' && message.agentId === me) addedOwn = true;
    }
    anchor = node;
  }
  const pending = [...chat.pending.values()].filter((item) => item.sessionId === sessionId);
  $('pending-list').replaceChildren(
    ...pending.map((item) =>
      h('li', { className: 'd-flex mb-2 justify-content-end', 'data-testid': 'pending-message', 'data-client-id': item.clientId }, [
        h('div', { className: `agent-console-bubble rounded-3 px-3 py-2 opacity-75 ${item.internal ? 'bg-warning-subtle border border-2 border-warning agent-console-note' : 'bg-primary-subtle'}` }, [
          h('div', { className: 'small text-body-secondary', text: item.internal ? `${t('sender.me')} · ${t('internal')}` : t('sender.me') }),
          h('div', { className: 'agent-console-text', text: item.text || (item.imageId ? t('image') : '') }),
          h('div', { className: 'small text-body-secondary text-end', text: t('sending') }),
        ]),
      ]),
    ),
  );
  updateReceipts();
  if (toBottom || nearBottom || addedOwn || pending.length) scroller.scrollTop = scroller.scrollHeight;
}

function messagesChanged(sessionId) {
  const held = chat.messagesOf(sessionId);
  const announced = state.announcedSeq.get(sessionId);
  if (announced === undefined) {
    // A session we knew nothing about (a push before its session): take what is there as seen.
    state.announcedSeq.set(sessionId, held.reduce((max, m) => Math.max(max, m.seq), 0));
  } else {
    const fresh = held.filter((m) => m.seq > announced);
    if (fresh.length) state.announcedSeq.set(sessionId, fresh[fresh.length - 1].seq);
    const fromCustomer = fresh.filter((m) => m.sender === 'customer');
    if (fromCustomer.length && sessionId === state.currentId) setCustomerTyping(false);
    const session = state.sessions.get(sessionId);
    if (fromCustomer.length && (sessionId !== state.currentId || !pageVisible()) && (!session || isMine(session) || sessionId === state.currentId)) {
      const last = fromCustomer[fromCustomer.length - 1];
      alertUser(t('notify.message', { name: displayName(session) }), last.text || t('image'), sessionId);
    }
  }
  if (sessionId === state.currentId) {
    renderMessages();
    markRead();
  }
  renderLists();
}

function markRead() {
  const session = current();
  if (!session || session.agentId !== me || !pageVisible()) return;
  const newest = chat.messagesOf(session.id).reduce((max, m) => Math.max(max, m.seq), 0);
  if (newest <= (session.agentReadSeq ?? 0) || (state.readInFlight.get(session.id) ?? 0) >= newest) return;
  state.readInFlight.set(session.id, newest);
  void request('chat:read', { sessionId: session.id, seq: newest }).then((ack) => {
    state.readInFlight.delete(session.id);
    if (ack.ok) {
      remember(ack.data.session);
      renderLists();
    }
  });
}

let typingTimer = null;
function setCustomerTyping(typing) {
  clearTimeout(typingTimer);
  const indicator = $('typing-indicator');
  indicator.hidden = !typing;
  indicator.textContent = typing ? t('typing', { name: displayName(current()) }) : '';
  // A lost "stopped typing" must not leave the indicator on.
  if (typing) typingTimer = setTimeout(() => setCustomerTyping(false), 8000);
}

// ---------------------------------------------------------------------------------------------------------------
// Reply window and composer

/** The server's rule (services/chat/reply-window.ts) on the session's fields, with the organisation's limits. */
function replyWindowOf(session) {
  if (!session.lastCustomerMessageAt) return { open: false, remaining: 0, closesAt: null, reason: 'no_customer_message' };
  const closesAt = new Date(Date.parse(session.lastCustomerMessageAt) + config.replyWindowHours * 3_600_000);
  const remaining = Math.max(0, config.replyWindowMessages - (session.agentMessagesSinceCustomer ?? 0));
  if (closesAt.getTime() <= Date.now()) return { open: false, remaining: 0, closesAt, reason: 'window_expired' };
  if (remaining === 0) return { open: false, remaining, closesAt, reason: 'limit_reached' };
  if (session.state !== 'serving') return { open: false, remaining, closesAt, reason: 'not_serving' };
  return { open: true, remaining, closesAt, reason: null };
}

function sendingState(session) {
  if (!session) return { open: false, reason: null };
  if (session.state === 'closed') return { open: false, reason: 'closed' };
  if (session.state === 'serving' && session.agentId !== me) return { open: false, reason: 'not_yours' };
  return replyWindowOf(session);
}

function renderComposerState() {
  const session = current();
  const composer = $('composer');
  const internal = $('internal-toggle').checked;
  const windowState = sendingState(session);
  const box = $('reply-window');
  composer.disabled = !session;
  composer.classList.toggle('bg-warning-subtle', internal);
  $('send').textContent = internal ? t('sendNote') : t('send');
  $('send').classList.toggle('btn-warning', internal);
  $('send').classList.toggle('btn-primary', !internal);
  // Offline sends are kept and sent on reconnect (ChatSync), so the connection does not disable the button.
  $('send').disabled = !session || (!internal && !windowState.open);
  $('image-input').disabled = $('send').disabled;
  $('image-button').classList.toggle('disabled', $('send').disabled);
  box.hidden = !session;
  if (!session) return;
  box.dataset.open = String(windowState.open);
  box.dataset.reason = windowState.reason ?? '';
  if (windowState.open) {
    box.className = 'small mb-2 text-body-secondary';
    box.textContent = t('replyWindow.open', { n: windowState.remaining, time: formatTime(windowState.closesAt.toISOString()) });
  } else {
    box.className = 'small mb-2 text-danger-emphasis';
    box.textContent = `${t(`replyWindow.${windowState.reason}`, { hours: config.replyWindowHours, max: config.replyWindowMessages })} ${t('replyWindow.notesOnly')}`;
  }
}

$('internal-toggle').addEventListener('change', () => {
  if ($('internal-toggle').checked) stopTyping();
  renderComposerState();
  $('composer').focus();
});

async function sendCurrent() {
  const session = current();
  const composer = $('composer');
  const text = composer.value.trim();
  if (!session || !text) return;
  const internal = $('internal-toggle').checked;
  if (text.length > config.messageMax) return notice(t('errors.too_long', { max: config.messageMax }), 'danger');
  if (!internal && !sendingState(session).open) return renderComposerState();
  composer.value = '';
  closeCanned();
  stopTyping();
  const sending = chat.send(text, { sessionId: session.id, internal });
  renderMessages({ toBottom: true });
  try {
    const data = await sending;
    remember(data.session);
  } catch (err) {
    showError(err?.error);
    if (!composer.value && state.currentId === session.id) composer.value = text;
    // A refusal from the reply window means our view of the session is stale: fetch it.
    if (String(err?.code ?? '').startsWith('reply_')) await refreshSession(session.id);
  }
  if (state.currentId === session.id) {
    renderMessages();
    renderCurrent();
  }
  renderLists();
}

/** A picture to the open conversation: uploaded first (its bytes over HTTP), then sent like a message with its id. */
async function sendImage(file) {
  const session = current();
  if (!session || !file) return;
  if (!config.imageTypes.includes(file.type)) return notice(t('imageType'), 'danger');
  if (file.size > config.imageMaxBytes) return notice(t('imageTooLarge'), 'danger');
  const internal = $('internal-toggle').checked;
  if (!internal && !sendingState(session).open) return renderComposerState();
  const button = $('image-button');
  button.classList.add('disabled');
  button.setAttribute('aria-busy', 'true');
  try {
    const response = await fetch('/chat/images', { method: 'POST', body: file, headers: { 'Content-Type': file.type, Accept: 'application/json', 'X-CSRF-Token': $('csrf').value }, credentials: 'same-origin' });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) return notice(response.status === 413 ? t('imageTooLarge') : response.status === 429 ? t('uploadBusy') : body?.error?.localizedMessage ?? t('imageType'), 'danger');
    const sending = chat.send('', { sessionId: session.id, internal, imageId: body.imageId });
    renderMessages({ toBottom: true });
    remember((await sending).session);
  } catch (err) {
    showError(err?.error);
  } finally {
    button.classList.remove('disabled');
    button.removeAttribute('aria-busy');
    if (state.currentId === session.id) {
      renderMessages();
      renderCurrent();
    }
    renderLists();
  }
}
$('image-input').addEventListener('change', (event) => {
  const file = event.target.files?.[0];
  event.target.value = '';
  void sendImage(file);
});

async function refreshSession(sessionId) {
  const ack = await request('chat:sync', { sessionId, afterSeq: chat.lastSeq(sessionId) });
  if (!ack.ok) return;
  remember(ack.data.session);
  chat.insert(ack.data.messages);
}

$('composer-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void sendCurrent();
});

// The customer sees "typing" only for real replies, never for internal notes.
let typingSent = false;
let typingIdle = null;
function signalTyping() {
  const session = current();
  if (!session || !isMine(session) || $('internal-toggle').checked || !socket.connected) return;
  if (!typingSent) {
    socket.emit('chat:typing', { sessionId: session.id, typing: true });
    typingSent = true;
  }
  clearTimeout(typingIdle);
  typingIdle = setTimeout(stopTyping, 3000);
}
function stopTyping() {
  clearTimeout(typingIdle);
  if (typingSent && state.currentId && socket.connected) socket.emit('chat:typing', { sessionId: state.currentId, typing: false });
  typingSent = false;
}

// ---------------------------------------------------------------------------------------------------------------
// Canned replies: "/" at the start of the composer

const canned = { open: false, matches: [], active: 0 };

function cannedQuery() {
  const composer = $('composer');
  const before = composer.value.slice(0, composer.selectionStart ?? composer.value.length);
  const match = /^\/(\S*)$/.exec(before);
  return match ? match[1].toLowerCase() : null;
}

function updateCanned() {
  const query = cannedQuery();
  if (query === null || !(config.canned ?? []).length) return closeCanned();
  const all = config.canned ?? [];
  const starts = all.filter((c) => c.shortcut.toLowerCase().startsWith(query));
  const contains = all.filter((c) => !starts.includes(c) && (c.shortcut.toLowerCase().includes(query) || c.text.toLowerCase().includes(query)));
  canned.matches = [...starts, ...contains].slice(0, 8);
  canned.active = Math.min(canned.active, Math.max(0, canned.matches.length - 1));
  canned.open = true;
  renderCanned();
}

function renderCanned() {
  const menu = $('canned-menu');
  const composer = $('composer');
  menu.hidden = !canned.open;
  composer.setAttribute('aria-expanded', String(canned.open));
  if (!canned.open) {
    composer.removeAttribute('aria-activedescendant');
    return;
  }
  if (!canned.matches.length) {
    menu.replaceChildren(h('div', { className: 'list-group-item small text-body-secondary', text: t('cannedEmpty') }));
    composer.removeAttribute('aria-activedescendant');
    return;
  }
  menu.replaceChildren(
    ...canned.matches.map((reply, index) =>
      h(
        'button',
        {
          type: 'button',
          id: `canned-option-${index}`,
          role: 'option',
          tabindex: '-1',
          'aria-selected': String(index === canned.active),
          className: `list-group-item list-group-item-action py-1${index === canned.active ? ' active' : ''}`,
          'data-testid': 'canned-option',
          on: {
            mousedown: (event) => event.preventDefault(),
            click: () => insertCanned(index),
          },
        },
        [h('span', { className: 'fw-semibold me-2', text: `/${reply.shortcut}` }), h('span', { className: 'small', text: reply.text.length > 80 ? `${reply.text.slice(0, 80)}…` : reply.text })],
      ),
    ),
  );
  composer.setAttribute('aria-activedescendant', `canned-option-${canned.active}`);
  menu.querySelector('.active')?.scrollIntoView({ block: 'nearest' });
}

function closeCanned() {
  canned.open = false;
  canned.matches = [];
  canned.active = 0;
  renderCanned();
}

// Placeholders of canned replies, English or Chinese (config.placeholders), become this conversation's customer, the
// agent serving it and the agent's store; one without a value stays as typed, for the agent to see and edit.
const placeholderCodes = new Map((config.placeholders ?? []).flatMap((p) => [[p.code, p.code], [p.zh, p.code]]));
// The names are the server's own plain words; with none the pattern matches nothing.
const placeholderPattern = new RegExp(`[{｛](${[...placeholderCodes.keys()].join('|') || '(?!)'})[}｝]`, 'g');

function fillCanned(text) {
  const session = current();
  const customer = state.details?.customer && state.details.customer.id === session?.customerId ? state.details.customer.name : '';
  const values = { customer: customer || session?.visitorName || '', clerk: session?.agentName || '', store: config.myStore || '' };
  return text.replace(placeholderPattern, (typed, name) => values[placeholderCodes.get(name)] || typed);
}

function insertCanned(index) {
  const reply = canned.matches[index];
  if (!reply) return;
  const composer = $('composer');
  const caret = composer.selectionStart ?? 0;
  const text = fillCanned(reply.text);
  composer.value = text + composer.value.slice(caret);
  composer.setSelectionRange(text.length, text.length);
  closeCanned();
  composer.focus();
}

const composer = $('composer');
composer.addEventListener('input', () => {
  updateCanned();
  if (composer.value.trim()) signalTyping();
});
composer.addEventListener('click', updateCanned);
composer.addEventListener('blur', () => setTimeout(closeCanned, 150));
composer.addEventListener('keydown', (event) => {
  if (canned.open && canned.matches.length) {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      canned.active = (canned.active + step + canned.matches.length) % canned.matches.length;
      return renderCanned();
    }
    if ((event.key === 'Enter' || event.key === 'Tab') && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      return insertCanned(canned.active);
    }
  }
  if (canned.open && event.key === 'Escape') {
    event.preventDefault();
    return closeCanned();
  }
  // Enter while an input method is composing (pinyin) picks the characters; it must not send.
  if (event.key === 'Enter' && !event.shiftKey && !event.altKey && !event.isComposing && event.keyCode !== 229) {
    event.preventDefault();
    void sendCurrent();
  }
});

// ---------------------------------------------------------------------------------------------------------------
// Keyboard shortcuts

function nextUnread() {
  const mine = mineInOrder();
  if (!mine.length) return;
  const start = mine.findIndex((s) => s.id === state.currentId);
  for (let step = 1; step <= mine.length; step += 1) {
    const candidate = mine[(start + step + mine.length) % mine.length];
    if (candidate.id !== state.currentId && unreadOf(candidate) > 0) return void openSession(candidate.id);
  }
  notice(t('noUnread'), 'info');
}

function focusTransfer() {
  if ($('session-actions').hidden) return notice(t('noTransfer'), 'info');
  $('transfer-select').focus();
}

document.addEventListener('keydown', (event) => {
  const ctrl = event.ctrlKey || event.metaKey;
  const letter = event.code?.startsWith('Key') ? event.code.slice(3).toLowerCase() : event.key?.toLowerCase();
  if (event.altKey && !ctrl && !event.shiftKey && event.key === 'ArrowDown') {
    event.preventDefault();
    nextUnread();
  } else if (ctrl && event.shiftKey && !event.altKey && letter === 'x') {
    event.preventDefault();
    askToClose();
  } else if (((ctrl && event.shiftKey) || (event.altKey && event.shiftKey && !ctrl)) && letter === 't') {
    event.preventDefault();
    focusTransfer();
  }
});

// ---------------------------------------------------------------------------------------------------------------
// Customer sidebar

function renderSidebar() {
  const session = current();
  const details = state.details;
  $('customer-empty').hidden = Boolean(session && details);
  $('customer-details').hidden = !(session && details);
  if (!session || !details) return;
  $('visitor-name').textContent = details.visitor?.name ?? '';
  $('visitor-phone').textContent = details.visitor?.phone || '—';
  const customerId = session.customerId ?? details.customer?.id ?? null;
  const link = $('customer-link');
  const profile = details.customer && details.customer.id === customerId ? details.customer : null;
  link.hidden = !customerId;
  renderProfile(session, profile);
  $('customer-unlinked').hidden = Boolean(customerId);
  if (customerId) {
    // Without the customer permission (agents) the name is shown but not linked.
    if (profile?.canOpen === false) link.removeAttribute('href');
    else link.href = `/customers/${encodeURIComponent(customerId)}`;
    const known = details.customer && details.customer.id === customerId ? details.customer : null;
    link.textContent = known?.name ? `${known.name}${known.phone ? ` · ${known.phone}` : ''}` : t('openCustomer');
    link.title = t('openCustomer');
  }
  const canCreate = !customerId && session.state !== 'closed';
  $('create-customer').hidden = !canCreate || !details.visitor?.phone;
  $('create-customer-hint').hidden = !canCreate || Boolean(details.visitor?.phone);
  const earlier = details.earlier ?? [];
  $('earlier-empty').hidden = earlier.length > 0;
  $('earlier-list').replaceChildren(
    ...earlier.map((item) => {
      const outcome = item.closedAt ? (item.disposition ? t(`dispositions.${item.disposition}`) : t('states.closed')) : t('earlierOpen');
      const rating = item.rating ? ` · ${t('rating', { n: item.rating })}` : '';
      return h('li', { className: 'mb-1' }, [
        h('button', { type: 'button', className: 'btn btn-link btn-sm p-0 text-start', 'data-session-id': item.id, text: `${t('earlierItem', { date: dayFormat.format(new Date(item.createdAt)), outcome })}${rating}`, on: { click: () => void openSession(item.id) } }),
      ]);
    }),
  );
}

/** The linked customer's tags (removable), a picker for more, and the latest of their timeline. */
function renderProfile(session, profile) {
  $('customer-profile').hidden = !profile;
  if (!profile) return;
  const held = new Set((profile.tags ?? []).map((tag) => tag.id));
  $('customer-tags').replaceChildren(
    ...(profile.tags ?? []).map((tag) =>
      h('button', { type: 'button', className: 'btn btn-sm btn-outline-success me-1 mb-1', 'data-tag-id': tag.id, title: t('removeTag'), text: `${tag.name} ×`, on: { click: () => void changeTags(session.id, [], [tag.id]) } }),
    ),
  );
  const choices = (profile.tagChoices ?? []).filter((tag) => !held.has(tag.id));
  $('tag-add').replaceChildren(h('option', { value: '', text: t('chooseTag') }), ...choices.map((tag) => h('option', { value: tag.id, text: tag.group ? `${tag.group} · ${tag.name}` : tag.name })));
  $('customer-timeline').replaceChildren(
    ...(profile.timeline ?? []).map((entry) =>
      h('li', { className: 'mb-1', 'data-testid': 'timeline-entry', text: `${dayFormat.format(new Date(entry.at))} · ${entry.label ?? entry.type}${entry.count > 1 ? ` ${t('timelineRepeat', { n: entry.count })}` : ''}` }),
    ),
  );
}

async function changeTags(sessionId, add, remove) {
  const ack = await request('chat:customer-tags', { sessionId, add, remove });
  if (!ack?.ok) return notice(ack?.error?.localizedMessage ?? t('errors.generic'), 'danger');
  if (state.details?.customer) Object.assign(state.details.customer, { tags: ack.data.tags, timeline: ack.data.timeline });
  renderSidebar();
}

// The tags this agent is good with: saved at once, used by routing for the next sessions.
document.getElementById('skills-form')?.addEventListener('change', async () => {
  const tagIds = [...document.querySelectorAll('#skills-form input[name="skill"]:checked')].map((input) => input.value);
  const ack = await request('chat:skills', { tagIds });
  notice(ack?.ok ? t('skillsSaved') : (ack?.error?.localizedMessage ?? t('errors.generic')), ack?.ok ? 'success' : 'danger');
});

$('tag-add').addEventListener('change', (event) => {
  const tagId = event.target.value;
  const session = current();
  if (tagId && session) void changeTags(session.id, [tagId], []);
});

// ---------------------------------------------------------------------------------------------------------------
// Sound and desktop notifications

let audio = null;
function unlockAudio() {
  const AudioContext = window.AudioContext || window.webkitAudioContext;
  if (!AudioContext) return;
  audio ??= new AudioContext();
  if (audio.state === 'suspended') void audio.resume();
}
// Browsers start audio only after a user gesture.
document.addEventListener('pointerdown', unlockAudio, { once: true });
document.addEventListener('keydown', unlockAudio, { once: true });

let lastBeep = 0;
function beep() {
  if (!audio || audio.state !== 'running' || Date.now() - lastBeep < 1000) return;
  lastBeep = Date.now();
  const oscillator = audio.createOscillator();
  const gain = audio.createGain();
  oscillator.type = 'sine';
  oscillator.frequency.value = 880;
  gain.gain.setValueAtTime(0.0001, audio.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.2, audio.currentTime + 0.02);
  gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.25);
  oscillator.connect(gain).connect(audio.destination);
  oscillator.start();
  oscillator.stop(audio.currentTime + 0.3);
}

function alertUser(title, body, sessionId) {
  beep();
  if (!('Notification' in window) || Notification.permission !== 'granted') return;
  try {
    const notification = new Notification(title, { body: body.slice(0, 120), tag: sessionId ?? 'queue' });
    notification.onclick = () => {
      window.focus();
      if (sessionId) void openSession(sessionId);
      notification.close();
    };
  } catch {
    // Some platforms only allow notifications from a service worker: the sound is enough there.
  }
}

/** A newcomer in the queue, unless routing gave it to someone at once (the queued push is followed by an assignment). */
function announceQueued(sessionId) {
  setTimeout(() => {
    const session = state.sessions.get(sessionId);
    if (session && isQueued(session)) alertUser(t('notify.queued', { name: displayName(session) }), session.lastMessagePreview || '', null);
  }, 1500);
}

const notifyButton = $('enable-notifications');
if ('Notification' in window && Notification.permission === 'default') notifyButton.hidden = false;
notifyButton.addEventListener('click', async () => {
  unlockAudio();
  const permission = await Notification.requestPermission();
  notifyButton.hidden = true;
  notice(permission === 'granted' ? t('notify.on') : t('notify.blocked'), permission === 'granted' ? 'success' : 'warning');
});

// ---------------------------------------------------------------------------------------------------------------
// Page life

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
  for (const span of document.querySelectorAll('[data-wait-since]')) span.textContent = t('waiting', { time: formatWait(span.dataset.waitSince) });
  if (current()) renderComposerState();
}, 15_000);

$('conversation-title').dataset.empty = $('conversation-title').textContent;
renderPresence();
renderCurrent();
socket.connect();
