// The conversation from ChatSync's messages (text only, never HTML), the sends still on their way, and read marks.
import { $ } from '../shared/dom.js';
import type { ChatMessage } from '../shared/protocol.js';
import { socket, sync } from './connection.js';
import { config, state, strings } from './page.js';
import { statusLine } from './state.js';
import { fillStaffCard } from './staff-card.js';

type Bubble = Pick<ChatMessage, 'sender' | 'text' | 'createdAt'> & Partial<Pick<ChatMessage, 'seq' | 'image'>> & { pending?: boolean };

const time = (iso: string) => new Date(iso).toLocaleTimeString(config.lang, { hour: '2-digit', minute: '2-digit' });

function bubble(message: Bubble, read: boolean): HTMLLIElement {
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

export function render(): void {
  const log = $('chat-log');
  const session = state.current ? state.sessions.get(state.current) : null;
  $('chat-status').textContent = statusLine(session, { connected: socket.connected, agentsOnline: state.agentsOnline }, strings);
  fillStaffCard($('agent-card'), session?.agentCard);
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
    divider.textContent = new Date(state.sessions.get(sessionId)!.createdAt ?? messages[0]!.createdAt).toLocaleString(config.lang);
    log.append(divider);
    const readUpTo = state.sessions.get(sessionId)!.agentReadSeq ?? 0;
    for (const message of messages) log.append(bubble(message, message.sender === 'customer' && message.seq <= readUpTo));
  }
  for (const item of state.pending.values())
    log.append(bubble({ sender: 'customer', text: item.text, createdAt: new Date().toISOString(), pending: true }, false));
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
