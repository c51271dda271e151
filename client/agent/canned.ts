// Canned replies: "/" at the start of the composer opens a menu of them (arrows, Enter or Tab, Escape).
import { $, h } from '../shared/dom.js';
import { config, t } from './config.js';
import { cannedQuery, matchCanned, placeholderFiller, type CannedReply } from './canned-match.js';
import { current, open } from './store.js';

const canned: { open: boolean; matches: CannedReply[]; active: number } = { open: false, matches: [], active: 0 };
const fill = placeholderFiller(config.placeholders ?? []);
const composer = () => $<HTMLTextAreaElement>('composer');

export function updateCanned(): void {
  const all = config.canned ?? [];
  const query = cannedQuery(composer().value, composer().selectionStart);
  if (query === null || !all.length) return closeCanned();
  canned.matches = matchCanned(all, query);
  canned.active = Math.min(canned.active, Math.max(0, canned.matches.length - 1));
  canned.open = true;
  renderCanned();
}

function renderCanned(): void {
  const menu = $('canned-menu');
  const input = composer();
  menu.hidden = !canned.open;
  input.setAttribute('aria-expanded', String(canned.open));
  if (!canned.open) return void input.removeAttribute('aria-activedescendant');
  if (!canned.matches.length) {
    menu.replaceChildren(h('div', { className: 'list-group-item small text-body-secondary', text: t('cannedEmpty') }));
    return void input.removeAttribute('aria-activedescendant');
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
          on: { mousedown: (event: Event) => event.preventDefault(), click: () => insertCanned(index) },
        },
        [
          h('span', { className: 'fw-semibold me-2', text: `/${reply.shortcut}` }),
          h('span', { className: 'small', text: reply.text.length > 80 ? `${reply.text.slice(0, 80)}…` : reply.text }),
        ],
      ),
    ),
  );
  input.setAttribute('aria-activedescendant', `canned-option-${canned.active}`);
  menu.querySelector('.active')?.scrollIntoView({ block: 'nearest' });
}

export function closeCanned(): void {
  canned.open = false;
  canned.matches = [];
  canned.active = 0;
  renderCanned();
}

/** The open conversation's customer, the agent serving it and the agent's store. */
function placeholderValues() {
  const session = current();
  const customer = open.details?.customer && open.details.customer.id === session?.customerId ? open.details.customer.name : '';
  return { customer: customer || session?.visitorName || '', clerk: session?.agentName || '', store: config.myStore || '' };
}

function insertCanned(index: number): void {
  const reply = canned.matches[index];
  if (!reply) return;
  const input = composer();
  const caret = input.selectionStart ?? 0;
  const text = fill(reply.text, placeholderValues());
  input.value = text + input.value.slice(caret);
  input.setSelectionRange(text.length, text.length);
  closeCanned();
  input.focus();
}

/** The menu's keys; true when the key was the menu's (the composer must not act on it too). */
export function cannedKey(event: KeyboardEvent): boolean {
  if (canned.open && canned.matches.length) {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      canned.active = (canned.active + step + canned.matches.length) % canned.matches.length;
      renderCanned();
      return true;
    }
    if ((event.key === 'Enter' || event.key === 'Tab') && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      insertCanned(canned.active);
      return true;
    }
  }
  if (canned.open && event.key === 'Escape') {
    event.preventDefault();
    closeCanned();
    return true;
  }
  return false;
}
