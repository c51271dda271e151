// The sessions this console lists: the overview (on connect and whenever ownership changes), the chat:session
// pushes in between, and the agent's presence.
import type { AgentSession } from '../shared/protocol.js';
import { showError } from './alerts.js';
import { renderCurrent } from './current.js';
import { renderLists, renderPresence } from './lists.js';
import { announceQueued } from './notifications.js';
import { chat, request } from './socket.js';
import { applyOverview, applyPush, type Overview } from './state.js';
import { state, viewer } from './store.js';

/** Stops following a session that left this console. */
export function forget(sessionId: string): void {
  chat.untrack(sessionId);
  state.unreadBase.delete(sessionId);
  void request('chat:leave', { sessionId });
}

export async function loadOverview(): Promise<void> {
  const ack = await request<Overview>('chat:overview');
  if (!ack.ok) {
    if (ack.error?.code !== 'offline') showError(ack.error);
    return;
  }
  for (const id of applyOverview(state, viewer, ack.data)) forget(id);
  renderPresence();
  renderLists();
  renderCurrent();
}

let overviewTimer: ReturnType<typeof setTimeout> | undefined;
export function scheduleOverview(): void {
  clearTimeout(overviewTimer);
  overviewTimer = setTimeout(() => void loadOverview(), 250);
}

export function sessionPushed(session: AgentSession): void {
  const outcome = applyPush(state, viewer, session);
  if (outcome.kind === 'ignored') return;
  if (outcome.kind === 'kept') {
    if (outcome.ownershipChanged) scheduleOverview();
    if (outcome.newlyQueued) announceQueued(outcome.session.id);
    if (outcome.forget) forget(outcome.session.id);
  }
  renderLists();
  if (outcome.kind === 'kept' && outcome.session.id === state.currentId) renderCurrent();
}

export async function setPresence(status: string): Promise<void> {
  const ack = await request<{ status: string }>('chat:presence', { status });
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
