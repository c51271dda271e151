// The open conversation's header (title, state, the actions it allows) and everything drawn from it.
import { $ } from '../shared/dom.js';
import { config, t } from './config.js';
import { renderComposerState } from './composer.js';
import { updateReceipts } from './messages.js';
import { renderSidebar } from './sidebar.js';
import { current, displayName, mine, queued } from './store.js';

const stateTones: Record<string, string> = { serving: 'success', queued: 'warning', closed: 'secondary' };

export function renderCurrent(): void {
  const session = current();
  const title = $('conversation-title');
  const badge = $('session-state');
  badge.hidden = !session;
  if (!session) {
    title.textContent = title.dataset.empty ?? title.textContent;
    $('session-actions').hidden = true;
    $('accept-current').hidden = true;
    renderSidebar();
    renderComposerState();
    return;
  }
  const stateText = t(`states.${session.state}`);
  title.textContent = displayName(session);
  badge.textContent =
    session.state === 'serving' && session.agentId !== config.me && session.agentName
      ? `${stateText} · ${t('servedBy', { name: session.agentName })}`
      : stateText;
  badge.className = `badge text-bg-${stateTones[session.state] ?? 'info'}`;
  badge.dataset.state = session.state;
  $('accept-current').hidden = !queued(session);
  $('session-actions').hidden = !mine(session);
  renderSidebar();
  renderComposerState();
  updateReceipts();
}
