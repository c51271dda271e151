// Dismissible notices above the console, and server errors in words.
import { $, h } from '../shared/dom.js';
import type { AckError } from '../shared/protocol.js';
import { config, t } from './config.js';
import { state } from './store.js';

export function notice(text: string, kind = 'info', { sticky = false } = {}): HTMLElement {
  const box = $('console-alerts');
  const alert = h('div', { className: `alert alert-${kind} alert-dismissible py-2 mb-3`, role: kind === 'danger' || kind === 'warning' ? 'alert' : 'status' }, [
    h('span', { text }),
    h('button', { type: 'button', className: 'btn-close py-2', 'data-bs-dismiss': 'alert', 'aria-label': t('dismiss') }),
  ]);
  box.append(alert);
  while (box.children.length > 3) box.firstElementChild!.remove();
  if (!sticky) setTimeout(() => alert.remove(), 8000);
  return alert;
}

/** A server error in words: its localized message when the server has one, else ours by code. */
export function errorText(error: AckError | null | undefined): string {
  if (!error) return t('errors.generic');
  const localized = error.localizedMessage;
  // A missing translation comes back as its key ("chat.errors.notQueued"): not for people.
  if (localized && !/^[\w-]+(\.[\w-]+)+$/.test(localized)) return localized;
  const fields = error.details?.fields ?? {};
  if (Object.values(fields).flat().includes('too_long')) return t('errors.too_long', { max: config.messageMax });
  const key = `errors.${error.code}`;
  const own = t(key, { max: state.maxSessions });
  return own === key ? t('errors.generic') : own;
}

export function showError(error: AckError | null | undefined): void {
  notice(errorText(error), 'danger');
}
