// What the agent does to a session: accept it, transfer it (to a colleague, a store's team or back to the queue),
// close it with a disposition, or create a customer from its visitor.
import { $ } from '../shared/dom.js';
import type { AgentSession, EarlierSession } from '../shared/protocol.js';
import { agentNames, t } from './config.js';
import { notice, showError } from './alerts.js';
import { openSession } from './conversation.js';
import { renderCurrent } from './current.js';
import { loadOverview, scheduleOverview } from './sessions.js';
import { renderSidebar } from './sidebar.js';
import { request } from './socket.js';
import { remember } from './state.js';
import { current, displayName, open, state } from './store.js';

type SessionAnswer = { session: AgentSession };

export async function accept(sessionId: string): Promise<void> {
  const ack = await request<SessionAnswer>('chat:accept', { sessionId });
  if (!ack.ok) {
    showError(ack.error);
    if (ack.error?.code === 'not_queued') scheduleOverview();
    return;
  }
  remember(state, ack.data.session);
  notice(t('done.accepted', { name: displayName(state.sessions.get(sessionId)) }), 'success');
  await loadOverview();
  await openSession(sessionId);
  $('composer').focus();
}

/** To an agent's id, to "store:<id>" (a store's team: back to the queue, offered to that store's agents first), or null (the queue). */
export async function transfer(to: string | null): Promise<void> {
  const session = current();
  if (!session) return;
  const noteInput = $<HTMLInputElement>('transfer-note');
  const note = noteInput.value.trim();
  const toStoreId = to?.startsWith('store:') ? to.slice('store:'.length) : null;
  const payload = toStoreId ? { sessionId: session.id, toAgentId: null, toStoreId, note } : { sessionId: session.id, toAgentId: to, note };
  const ack = await request<SessionAnswer>('chat:transfer', payload);
  if (!ack.ok) return showError(ack.error);
  noteInput.value = '';
  remember(state, ack.data.session);
  const name = toStoreId ? ($<HTMLSelectElement>('transfer-select').selectedOptions[0]?.textContent ?? '') : (agentNames.get(to ?? '') ?? '');
  notice(to && !toStoreId ? t('done.transferred', { name }) : toStoreId ? t('done.toTeam', { name }) : t('done.requeued'), 'success');
  await loadOverview();
  renderCurrent();
}

type BootstrapModal = { show(): void; hide(): void };
function closeModal(): BootstrapModal | null {
  const bootstrap = (window as unknown as { bootstrap?: { Modal?: { getOrCreateInstance(element: Element): BootstrapModal } } }).bootstrap;
  return bootstrap?.Modal ? bootstrap.Modal.getOrCreateInstance($('close-dialog')) : null;
}

export function askToClose(): void {
  const session = current();
  if (!session || session.state === 'closed' || $('session-actions').hidden) return;
  $<HTMLSelectElement>('close-disposition').value = 'resolved';
  const modal = closeModal();
  if (modal) {
    $('close-dialog').addEventListener('shown.bs.modal', () => $('close-disposition').focus(), { once: true });
    modal.show();
  } else if (window.confirm(t('closeQuestion'))) void closeCurrent('resolved');
}

export async function closeCurrent(disposition: string): Promise<void> {
  const session = current();
  if (!session) return;
  const ack = await request<SessionAnswer>('chat:close', { sessionId: session.id, disposition });
  closeModal()?.hide();
  if (!ack.ok) return showError(ack.error);
  remember(state, ack.data.session);
  notice(t('done.closed'), 'success');
  await loadOverview();
  renderCurrent();
}

export async function linkNewCustomer(): Promise<void> {
  const session = current();
  if (!session) return;
  const button = $<HTMLButtonElement>('create-customer');
  button.disabled = true;
  const ack = await request<SessionAnswer & { earlier: EarlierSession[] }>('chat:link-customer', { sessionId: session.id, customerId: null });
  button.disabled = false;
  if (!ack.ok) return showError(ack.error);
  remember(state, ack.data.session);
  notice(t('done.customerCreated'), 'success');
  if (open.details && !open.details.customer) open.details.customer = { id: ack.data.session.customerId, name: open.details.visitor?.name ?? '' };
  if (open.details) open.details.earlier = ack.data.earlier;
  renderSidebar();
}
