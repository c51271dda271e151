// The open conversation's messages: rendered once each (by seq) in order, the sends still on their way below them,
// read receipts, and the customer's typing indicator.
import { $, h } from '../shared/dom.js';
import type { ChatMessage } from '../shared/protocol.js';
import { agentNames, config, t } from './config.js';
import { formatTime } from './format.js';
import { chat } from './socket.js';
import { current, displayName, state } from './store.js';

let rendered: { sessionId: string | null; nodes: Map<number, HTMLElement> } = { sessionId: null, nodes: new Map() };

export function resetMessages(): void {
  $('message-list').replaceChildren();
  $('pending-list').replaceChildren();
  rendered = { sessionId: state.currentId, nodes: new Map() };
}

function senderLabel(message: ChatMessage): string {
  if (message.sender === 'customer') return displayName(current());
  if (message.sender === 'agent') return message.agentId === config.me ? t('sender.me') : (agentNames.get(message.agentId ?? '') ?? t('sender.agent'));
  return t(`sender.${message.sender}`);
}

function toneOf(message: ChatMessage): string {
  if (message.internal) return 'bg-warning-subtle border border-2 border-warning agent-console-note';
  return { agent: 'bg-primary-subtle', bot: 'bg-info-subtle', system: 'bg-body-secondary small' }[message.sender as string] ?? 'bg-body-tertiary border';
}

function messageNode(message: ChatMessage): HTMLElement {
  const { sender, internal } = message;
  const outgoing = sender === 'agent' || (sender === 'system' && internal);
  const align = sender === 'system' && !internal ? 'justify-content-center' : outgoing ? 'justify-content-end' : 'justify-content-start';
  const label = internal ? `${senderLabel(message)} · ${t('internal')}` : senderLabel(message);
  const text = message.text || (sender === 'system' && internal ? t('systemEvent') : '');
  const bubble = h('div', { className: `agent-console-bubble rounded-3 px-3 py-2 ${toneOf(message)}` }, [
    h('div', { className: 'small text-body-secondary d-flex flex-wrap gap-2' }, [
      h('span', { className: 'fw-semibold', text: label }),
      h('time', { datetime: message.createdAt, text: formatTime(message.createdAt) }),
    ]),
    message.image
      ? h('img', {
          src: `/chat/images/${encodeURIComponent(message.image.id)}`,
          alt: t('image'),
          className: 'img-fluid rounded agent-console-image d-block my-1',
        })
      : null,
    text ? h('div', { className: 'agent-console-text', text }) : null,
    sender === 'agent' && !internal ? h('div', { className: 'small text-body-secondary text-end', 'data-testid': 'read-receipt' }) : null,
  ]);
  return h(
    'li',
    {
      className: `d-flex mb-2 ${align}`,
      'data-testid': 'message',
      'data-seq': String(message.seq),
      'data-sender': sender,
      'data-internal': internal ? 'true' : 'false',
      'data-client-id': message.clientId,
    },
    [bubble],
  );
}

export function updateReceipts(): void {
  const session = current();
  if (!session) return;
  const readSeq = session.customerReadSeq ?? 0;
  for (const node of $('message-list').querySelectorAll<HTMLElement>('[data-testid="read-receipt"]')) {
    const seq = Number(node.closest<HTMLElement>('[data-seq]')!.dataset.seq);
    const read = readSeq >= seq;
    node.textContent = read ? t('read') : t('unreadReceipt');
    node.dataset.read = String(read);
  }
}

function pendingNodes(sessionId: string): HTMLElement[] {
  return [...chat.pending.values()]
    .filter((item) => item.sessionId === sessionId)
    .map((item) =>
      h('li', { className: 'd-flex mb-2 justify-content-end', 'data-testid': 'pending-message', 'data-client-id': item.clientId }, [
        h(
          'div',
          {
            className: `agent-console-bubble rounded-3 px-3 py-2 opacity-75 ${item.internal ? 'bg-warning-subtle border border-2 border-warning agent-console-note' : 'bg-primary-subtle'}`,
          },
          [
            h('div', { className: 'small text-body-secondary', text: item.internal ? `${t('sender.me')} · ${t('internal')}` : t('sender.me') }),
            h('div', { className: 'agent-console-text', text: item.text || (item.imageId ? t('image') : '') }),
            h('div', { className: 'small text-body-secondary text-end', text: t('sending') }),
          ],
        ),
      ]),
    );
}

/** Adds what is new in place (nothing already shown is rebuilt); follows the bottom when the agent is there. */
export function renderMessages({ toBottom = false } = {}): void {
  const sessionId = state.currentId;
  if (!sessionId) return;
  if (rendered.sessionId !== sessionId) resetMessages();
  const scroller = $('message-scroll');
  const nearBottom = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
  const list = $('message-list');
  let anchor: HTMLElement | null = null;
  let addedOwn = false;
  for (const message of chat.messagesOf(sessionId)) {
    let node = rendered.nodes.get(message.seq);
    if (!node) {
      node = messageNode(message);
      rendered.nodes.set(message.seq, node);
      if (anchor) anchor.after(node);
      else list.prepend(node);
      if (message.sender === 'agent' && message.agentId === config.me) addedOwn = true;
    }
    anchor = node;
  }
  const pending = pendingNodes(sessionId);
  $('pending-list').replaceChildren(...pending);
  updateReceipts();
  if (toBottom || nearBottom || addedOwn || pending.length) scroller.scrollTop = scroller.scrollHeight;
}

let typingTimer: ReturnType<typeof setTimeout> | undefined;
export function setCustomerTyping(typing: boolean): void {
  clearTimeout(typingTimer);
  const indicator = $('typing-indicator');
  indicator.hidden = !typing;
  indicator.textContent = typing ? t('typing', { name: displayName(current()) }) : '';
  // A lost "stopped typing" must not leave the indicator on.
  if (typing) typingTimer = setTimeout(() => setCustomerTyping(false), 8000);
}
