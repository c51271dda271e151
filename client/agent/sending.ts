// Sending to the open conversation: a message or a note (through ChatSync, kept until acknowledged), or a picture.
import { $ } from '../shared/dom.js';
import type { AgentSession } from '../shared/protocol.js';
import type { SendError, SyncAnswer } from '../shared/chat-sync.js';
import { config, t } from './config.js';
import { notice, showError } from './alerts.js';
import { closeCanned } from './canned.js';
import { isNote, renderComposerState, sendingStateNow, stopTyping } from './composer.js';
import { renderCurrent } from './current.js';
import { renderLists } from './lists.js';
import { renderMessages } from './messages.js';
import { chat, request } from './socket.js';
import { remember } from './state.js';
import { current, state } from './store.js';

/** A refusal from the reply window means our view of the session is stale: fetch it. */
async function refreshSession(sessionId: string): Promise<void> {
  const ack = await request<SyncAnswer & { session: AgentSession }>('chat:sync', { sessionId, afterSeq: chat.lastSeq(sessionId) });
  if (!ack.ok) return;
  remember(state, ack.data.session);
  chat.insert(ack.data.messages);
}

function redrawAfterSend(sessionId: string): void {
  if (state.currentId === sessionId) {
    renderMessages();
    renderCurrent();
  }
  renderLists();
}

export async function sendCurrent(): Promise<void> {
  const session = current();
  const composer = $<HTMLTextAreaElement>('composer');
  const text = composer.value.trim();
  if (!session || !text) return;
  const internal = isNote();
  if (text.length > config.messageMax) return void notice(t('errors.too_long', { max: config.messageMax }), 'danger');
  if (!internal && !sendingStateNow().open) return renderComposerState();
  composer.value = '';
  closeCanned();
  stopTyping();
  const sending = chat.send(text, { sessionId: session.id, internal });
  renderMessages({ toBottom: true });
  try {
    const data = await sending;
    remember(state, data.session as AgentSession);
  } catch (err) {
    const refusal = err as Partial<SendError>;
    showError(refusal?.error);
    if (!composer.value && state.currentId === session.id) composer.value = text;
    if (String(refusal?.code ?? '').startsWith('reply_')) await refreshSession(session.id);
  }
  redrawAfterSend(session.id);
}

/** A picture to the open conversation: uploaded first (its bytes over HTTP), then sent like a message with its id. */
export async function sendImage(file: File | undefined): Promise<void> {
  const session = current();
  if (!session || !file) return;
  if (!config.imageTypes.includes(file.type)) return void notice(t('imageType'), 'danger');
  if (file.size > config.imageMaxBytes) return void notice(t('imageTooLarge'), 'danger');
  const internal = isNote();
  if (!internal && !sendingStateNow().open) return renderComposerState();
  const button = $('image-button');
  button.classList.add('disabled');
  button.setAttribute('aria-busy', 'true');
  try {
    const headers = { 'Content-Type': file.type, Accept: 'application/json', 'X-CSRF-Token': $<HTMLInputElement>('csrf').value };
    const response = await fetch('/chat/images', { method: 'POST', body: file, headers, credentials: 'same-origin' });
    const body = await response.json().catch(() => ({}));
    if (!response.ok)
      return void notice(
        response.status === 413 ? t('imageTooLarge') : response.status === 429 ? t('uploadBusy') : (body?.error?.localizedMessage ?? t('imageType')),
        'danger',
      );
    const sending = chat.send('', { sessionId: session.id, internal, imageId: body.imageId });
    renderMessages({ toBottom: true });
    remember(state, (await sending).session as AgentSession);
  } catch (err) {
    showError((err as Partial<SendError>)?.error);
  } finally {
    button.classList.remove('disabled');
    button.removeAttribute('aria-busy');
    redrawAfterSend(session.id);
  }
}
