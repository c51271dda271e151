// The composer's state (the reply window, notes) and the agent's typing signal to the customer.
import { $ } from '../shared/dom.js';
import { config, t } from './config.js';
import { formatTime } from './format.js';
import { socket } from './socket.js';
import { sendingState, type SendingState } from './state.js';
import { current, mine, state, viewer } from './store.js';

export const isNote = () => $<HTMLInputElement>('internal-toggle').checked;

/** Whether the open session takes a reply from this agent now (the server's reply-window rule). */
export const sendingStateNow = (): SendingState => sendingState(current(), viewer, config, new Date());

export function renderComposerState(): void {
  const session = current();
  const composer = $<HTMLTextAreaElement>('composer');
  const send = $<HTMLButtonElement>('send');
  const internal = isNote();
  const windowState = sendingStateNow();
  const box = $('reply-window');
  composer.disabled = !session;
  composer.classList.toggle('bg-warning-subtle', internal);
  send.textContent = internal ? t('sendNote') : t('send');
  send.classList.toggle('btn-warning', internal);
  send.classList.toggle('btn-primary', !internal);
  // Offline sends are kept and sent on reconnect (ChatSync), so the connection does not disable the button.
  send.disabled = !session || (!internal && !windowState.open);
  $<HTMLInputElement>('image-input').disabled = send.disabled;
  $('image-button').classList.toggle('disabled', send.disabled);
  box.hidden = !session;
  if (!session) return;
  box.dataset.open = String(windowState.open);
  box.dataset.reason = windowState.reason ?? '';
  if (windowState.open) {
    box.className = 'small mb-2 text-body-secondary';
    box.textContent = t('replyWindow.open', { n: windowState.remaining, time: formatTime(windowState.closesAt) });
  } else {
    box.className = 'small mb-2 text-danger-emphasis';
    box.textContent = `${t(`replyWindow.${windowState.reason}`, { hours: config.replyWindowHours, max: config.replyWindowMessages })} ${t('replyWindow.notesOnly')}`;
  }
}

// The customer sees "typing" only for real replies, never for internal notes.
let typingSent = false;
let typingIdle: ReturnType<typeof setTimeout> | undefined;

export function signalTyping(): void {
  const session = current();
  if (!session || !mine(session) || isNote() || !socket.connected) return;
  if (!typingSent) {
    socket.emit('chat:typing', { sessionId: session.id, typing: true });
    typingSent = true;
  }
  clearTimeout(typingIdle);
  typingIdle = setTimeout(stopTyping, 3000);
}

export function stopTyping(): void {
  clearTimeout(typingIdle);
  if (typingSent && state.currentId && socket.connected) socket.emit('chat:typing', { sessionId: state.currentId, typing: false });
  typingSent = false;
}
