// Times in the organisation's timezone and the console's language.
import { config, t } from './config.js';

const timeFormat = new Intl.DateTimeFormat(config.locale, { timeZone: config.timezone, hour: '2-digit', minute: '2-digit' });
const dayTimeFormat = new Intl.DateTimeFormat(config.locale, { timeZone: config.timezone, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
export const dayFormat = new Intl.DateTimeFormat(config.locale, { timeZone: config.timezone, year: 'numeric', month: 'short', day: 'numeric' });
const dayKey = new Intl.DateTimeFormat('en-CA', { timeZone: config.timezone, year: 'numeric', month: '2-digit', day: '2-digit' });

/** The time alone today, with the day otherwise. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  return dayKey.format(date) === dayKey.format(new Date()) ? timeFormat.format(date) : dayTimeFormat.format(date);
}

export function formatWait(iso: string | null | undefined): string {
  const minutes = Math.floor((Date.now() - Date.parse(iso ?? '')) / 60_000);
  if (!iso || Number.isNaN(minutes) || minutes < 1) return t('lessThanMinute');
  if (minutes < 60) return t('minutes', { n: minutes });
  return t('hoursMinutes', { h: Math.floor(minutes / 60), m: minutes % 60 });
}
