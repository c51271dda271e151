/**
 * The one source of "now" for time-dependent rules (follow-up days, do-not-disturb). Tests set it instead of
 * faking timers, so database drivers and sockets keep their real clocks.
 */
let override: (() => Date) | null = null;

export const clock = {
  now: (): Date => (override ? override() : new Date()),
};

/** Tests only: a fixed or moving clock; null restores the real one. */
export function setClock(now: (() => Date) | Date | null): void {
  override = now === null ? null : typeof now === 'function' ? now : () => new Date(now.getTime());
}
