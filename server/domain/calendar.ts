import { DateTime } from 'luxon';

/**
 * Calendar days as ISO strings ("2026-12-03"): follow-ups belong to a day in the organisation's timezone,
 * not to an instant, so days are compared and stored as plain dates.
 */
export type IsoDate = string;

export const isoDatePattern = /^\d{4}-\d{2}-\d{2}$/;

export function localDateOf(instant: Date, timezone: string): IsoDate {
  return DateTime.fromJSDate(instant, { zone: timezone }).toISODate()!;
}

/** The instant a day begins in a timezone. */
export function startOfDay(date: IsoDate, timezone: string): Date {
  return DateTime.fromISO(date, { zone: timezone }).startOf('day').toJSDate();
}

function parse(date: IsoDate): DateTime {
  return DateTime.fromISO(date, { zone: 'utc' });
}

export function isRealDate(date: string): boolean {
  return isoDatePattern.test(date) && parse(date).isValid;
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return parse(date).plus({ days }).toISODate()!;
}

export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round(parse(to).diff(parse(from), 'days').days);
}

export function yearOf(date: IsoDate): number {
  return Number(date.slice(0, 4));
}

export function isLeapYear(year: number): boolean {
  return DateTime.utc(year).isInLeapYear;
}

/** Whether a month and day exist in some year (29 February does; 31 February never). */
export function isValidMonthDay(month: number, day: number): boolean {
  return DateTime.utc(2024, month, day).isValid;
}

/** A yearly date in a given year; 29 February is celebrated on 28 February in other years (DOMAIN). */
export function yearlyDateIn(year: number, month: number, day: number): IsoDate {
  const celebratedDay = month === 2 && day === 29 && !isLeapYear(year) ? 28 : day;
  return DateTime.utc(year, month, celebratedDay).toISODate()!;
}

/** The first occurrence of a yearly date on or after `from`. */
export function nextYearlyDate(month: number, day: number, from: IsoDate): IsoDate {
  const year = yearOf(from);
  const thisYear = yearlyDateIn(year, month, day);
  return thisYear >= from ? thisYear : yearlyDateIn(year + 1, month, day);
}

/**
 * The month-day keys (month * 100 + day) of the days from `from` to `to` (at most a year apart), as ranges for
 * an indexed query: one range, or two when the window wraps past 31 December. In a year without 29 February,
 * a window holding 28 February also holds 229, whose birthdays are celebrated that day.
 */
export function monthDayRanges(from: IsoDate, to: IsoDate): [number, number][] {
  const key = (date: IsoDate) => Number(date.slice(5, 7)) * 100 + Number(date.slice(8, 10));
  const widen = (range: [number, number], year: number): [number, number] => (range[1] === 228 && !isLeapYear(year) ? [range[0], 229] : range);
  if (yearOf(from) === yearOf(to)) return [widen([key(from), key(to)], yearOf(to))];
  return [[key(from), 1231], widen([101, key(to)], yearOf(to))];
}

/** The nth given weekday (1 Monday … 7 Sunday) of a month: Mother's Day is the 2nd Sunday of May. */
export function nthWeekdayOfMonth(year: number, month: number, weekday: number, nth: number): IsoDate {
  const first = DateTime.utc(year, month, 1);
  const offset = (weekday - first.weekday + 7) % 7;
  return first.plus({ days: offset + (nth - 1) * 7 }).toISODate()!;
}

/** Whether a minute of the day falls within a daily window "HH:MM"-"HH:MM", which may run past midnight. */
export function withinDailyWindow(minute: number, start: string, end: string): boolean {
  const from = minutesOf(start);
  const to = minutesOf(end);
  return from < to ? minute >= from && minute < to : minute >= from || minute < to;
}

/** Minutes since midnight of "HH:MM". */
export function minutesOf(timeOfDay: string): number {
  const [hours, minutes] = timeOfDay.split(':').map(Number);
  return hours! * 60 + minutes!;
}
