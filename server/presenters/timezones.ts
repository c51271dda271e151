/** The organisation's home timezone comes first: nearly every organisation keeps it. */
export const HOME_TIMEZONE = 'Asia/Shanghai';

export type TimezoneChoice = { value: string; label: string };

function nameOf(timeZone: string, locale: string, style: 'longGeneric' | 'shortOffset'): string {
  try {
    return (
      new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: style }).formatToParts(new Date()).find((part) => part.type === 'timeZoneName')?.value ?? ''
    );
  } catch {
    return '';
  }
}

/** "中国标准时间" for Asia/Shanghai in the reader's language; the IANA id where the runtime has no name for it. */
export function timezoneName(timeZone: string, locale: string): string {
  return nameOf(timeZone, locale, 'longGeneric') || timeZone;
}

/** "中国标准时间 (GMT+8) · Asia/Shanghai": the name people know first, the IANA id the server stores last. */
function labelOf(timeZone: string, locale: string): string {
  const name = nameOf(timeZone, locale, 'longGeneric');
  const offset = nameOf(timeZone, locale, 'shortOffset');
  const said = name && name !== offset ? `${name} (${offset})` : offset;
  return said ? `${said} · ${timeZone}` : timeZone;
}

// Naming ~420 zones takes a few hundred milliseconds: once per language and day (offsets move with summer time).
const cache = new Map<string, TimezoneChoice[]>();

/**
 * Every timezone the runtime knows, for a choice list in the request's language. `keep` adds values that are not in
 * the list (a stored alias such as UTC, or what was posted) so a form never drops them; the server still validates.
 */
export function timezoneChoices(locale: string, keep: readonly (string | undefined | null)[] = []): TimezoneChoice[] {
  const day = new Date().toISOString().slice(0, 10);
  const key = `${locale}:${day}`;
  let choices = cache.get(key);
  if (!choices) {
    const zones = Intl.supportedValuesOf('timeZone').filter((zone) => zone !== HOME_TIMEZONE);
    choices = [HOME_TIMEZONE, ...zones].map((zone) => ({ value: zone, label: labelOf(zone, locale) }));
    for (const old of cache.keys()) if (!old.endsWith(day)) cache.delete(old);
    cache.set(key, choices);
  }
  const extra = [...new Set(keep.filter((zone): zone is string => typeof zone === 'string' && zone !== '' && !choices.some((c) => c.value === zone)))];
  return [...extra.map((zone) => ({ value: zone, label: labelOf(zone, locale) })), ...choices];
}
