// The two lists (my conversations, the queue), the presence control and the tab title's unread count.
import { $, h } from '../shared/dom.js';
import type { AgentSession } from '../shared/protocol.js';
import { t } from './config.js';
import { formatTime, formatWait } from './format.js';
import { intents } from './intents.js';
import { chat } from './socket.js';
import { lastMessageOf, mineInOrder, queueInOrder, unreadOf } from './state.js';
import { displayName, pageVisible, state, viewer } from './store.js';

export const unread = (session: AgentSession) => unreadOf(state, session, chat.messagesOf(session.id));
export const lastMessage = (session: AgentSession) => lastMessageOf(session, chat.messagesOf(session.id), t('image'));
export const myList = () => mineInOrder(state, viewer, (s) => lastMessage(s).at);

/** The open conversation counts as read while the agent can see it. */
const shownUnread = (session: AgentSession) => (session.id === state.currentId && pageVisible() ? 0 : unread(session));

/** Re-renders a list, giving focus back to the control that had it (matched by data-focus-key). */
function replaceList(container: HTMLElement, nodes: Node[]): void {
  const focused = (document.activeElement as HTMLElement | null)?.closest?.('[data-focus-key]');
  const key = focused && container.contains(focused) ? focused.getAttribute('data-focus-key') : null;
  container.replaceChildren(...nodes);
  if (key) container.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(key)}"]`)?.focus();
}

function myItem(s: AgentSession): HTMLElement {
  const count = shownUnread(s);
  const last = lastMessage(s);
  return h(
    'button',
    {
      type: 'button',
      className: `list-group-item list-group-item-action${s.id === state.currentId ? ' active' : ''}`,
      'aria-current': s.id === state.currentId ? 'true' : null,
      'data-testid': 'my-session',
      'data-session-id': s.id,
      'data-unread': String(count),
      'data-focus-key': `mine:${s.id}`,
      on: { click: () => intents.openSession(s.id) },
    },
    [
      h('span', { className: 'd-flex align-items-center gap-2' }, [
        h('span', { className: 'fw-semibold text-truncate me-auto', text: displayName(s) }),
        count > 0
          ? h('span', {
              className: 'badge rounded-pill text-bg-danger',
              'data-testid': 'unread-badge',
              'aria-label': t('unread', { n: count }),
              text: String(count),
            })
          : null,
        h('small', { className: 'text-nowrap opacity-75', text: formatTime(last.at) }),
      ]),
      h('span', { className: 'd-block small text-truncate opacity-75', text: last.text || t('noPreview') }),
    ],
  );
}

function queueItem(s: AgentSession, index: number): HTMLElement {
  const since = s.queuedAt ?? s.createdAt;
  return h(
    'div',
    {
      className: `list-group-item d-flex gap-2 align-items-start${s.id === state.currentId ? ' list-group-item-primary' : ''}`,
      'data-testid': 'queue-item',
      'data-session-id': s.id,
    },
    [
      h('div', { className: 'flex-grow-1 overflow-hidden' }, [
        h('button', {
          type: 'button',
          className: 'btn btn-link p-0 fw-semibold text-decoration-none text-start text-break',
          'data-focus-key': `peek:${s.id}`,
          text: displayName(s),
          on: { click: () => intents.openSession(s.id) },
        }),
        h('div', { className: 'small text-body-secondary text-truncate', text: s.lastMessagePreview || t('noPreview') }),
        h('div', { className: 'small text-body-secondary' }, [
          h('span', { text: `${t('queuePosition', { n: index + 1 })} · ` }),
          h('span', { 'data-wait-since': since, text: t('waiting', { time: formatWait(since) }) }),
        ]),
      ]),
      h('button', {
        type: 'button',
        className: 'btn btn-success btn-sm text-nowrap',
        'data-testid': 'accept',
        'data-focus-key': `accept:${s.id}`,
        text: t('accept'),
        on: { click: () => intents.accept(s.id) },
      }),
    ],
  );
}

export function renderLists(): void {
  const mine = myList();
  replaceList($('mine-list'), mine.map(myItem));
  $('mine-empty').hidden = mine.length > 0;
  $('mine-count').textContent = String(mine.length);

  const queue = queueInOrder(state, viewer);
  replaceList($('queue-list'), queue.map(queueItem));
  $('queue-empty').hidden = queue.length > 0;
  $('queue-count').textContent = String(queue.length);
  document.title = document.title.replace(/^\(\d+\) /, '');
  const totalUnread = mine.reduce((sum, s) => sum + shownUnread(s), 0);
  if (totalUnread > 0) document.title = `(${totalUnread}) ${document.title}`;
}

export function renderPresence(): void {
  const select = $<HTMLSelectElement>('presence');
  select.value = state.presence;
  select.dataset.status = state.presence;
  $('load').textContent = t('load', { active: state.activeSessions, max: state.maxSessions });
}

/** Wait times move with the clock. */
export function refreshWaits(): void {
  for (const span of document.querySelectorAll<HTMLElement>('[data-wait-since]')) span.textContent = t('waiting', { time: formatWait(span.dataset.waitSince) });
}
