import { DateTime } from 'luxon';
import { minutesOf, withinDailyWindow } from '../../domain/calendar.js';

/**
 * When a reminder may reach a staff member: now, unless now falls inside their do-not-disturb window
 * (in the organisation's timezone, possibly across midnight), in which case the moment the window ends.
 */
export function deliverableAt(now: Date, timezone: string, window: { dndStart: string; dndEnd: string }): Date {
  const start = minutesOf(window.dndStart);
  const end = minutesOf(window.dndEnd);
  if (start === end) return now;
  const local = DateTime.fromJSDate(now, { zone: timezone });
  const minute = local.hour * 60 + local.minute;
  if (!withinDailyWindow(minute, window.dndStart, window.dndEnd)) return now;
  const endToday = local.set({ hour: Math.floor(end / 60), minute: end % 60, second: 0, millisecond: 0 });
  return (minute < end ? endToday : endToday.plus({ days: 1 })).toJSDate();
}
