import { DateTime } from 'luxon';
import type { Birthday, Relative } from '../../models/customer.js';

/** Month and day as one sortable number: 3 December -> 1203. */
export function monthDayKey(month: number, day: number): number {
  return month * 100 + day;
}

export function birthdayOf(input: { year?: number | null; month: number; day: number }): Birthday {
  return { year: input.year ?? null, month: input.month, day: input.day, md: monthDayKey(input.month, input.day) };
}

/** The distinct month-days of a customer's and their relatives' birthdays, for the indexed range query. */
export function birthdayMonthDays(birthday: Birthday | null | undefined, relatives: Relative[]): number[] {
  const keys = [birthday, ...relatives.map((r) => r.birthday)].filter((b): b is Birthday => Boolean(b)).map((b) => b.md);
  return [...new Set(keys)].sort((a, b) => a - b);
}

/** A birthday with a year must not lie ahead (in the organisation's timezone). */
export function isFutureBirthday(birthday: { year?: number | null | undefined; month: number; day: number } | null | undefined, today: DateTime): boolean {
  // Most birthdays are years back: no timezone arithmetic needed for them (it dominates a large import).
  if (!birthday?.year || birthday.year < today.year) return false;
  return DateTime.fromObject({ year: birthday.year, month: birthday.month, day: birthday.day }, { zone: today.zone }) > today.endOf('day');
}
