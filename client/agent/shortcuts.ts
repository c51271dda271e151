// Keyboard shortcuts: Alt+↓ the next conversation with unread messages, Ctrl+Shift+X close, Ctrl+Shift+T transfer.
import { $ } from '../shared/dom.js';
import { t } from './config.js';
import { askToClose } from './actions.js';
import { notice } from './alerts.js';
import { openSession } from './conversation.js';
import { myList, unread } from './lists.js';
import { state } from './store.js';

function nextUnread(): void {
  const mine = myList();
  if (!mine.length) return;
  const start = mine.findIndex((s) => s.id === state.currentId);
  for (let step = 1; step <= mine.length; step += 1) {
    const candidate = mine[(start + step + mine.length) % mine.length]!;
    if (candidate.id !== state.currentId && unread(candidate) > 0) return void openSession(candidate.id);
  }
  notice(t('noUnread'), 'info');
}

function focusTransfer(): void {
  if ($('session-actions').hidden) return void notice(t('noTransfer'), 'info');
  $('transfer-select').focus();
}

export function bindShortcuts(): void {
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
}
