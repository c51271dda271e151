import { Lunar } from 'lunar-typescript';
import { nthWeekdayOfMonth, yearlyDateIn, yearOf, type IsoDate } from './calendar.js';

/**
 * The festivals follow-ups know, computed for any year: lunar dates through the lunar calendar library
 * (no hand-kept tables), solar ones by their fixed day or their weekday rule.
 */
type Festival = { key: string; calendar: 'lunar' | 'solar'; dateIn: (year: number) => IsoDate };

const lunar = (key: string, month: number, day: number): Festival => ({
  key,
  calendar: 'lunar',
  // Lunar months 1 to 9 of lunar year Y always fall within solar year Y.
  dateIn: (year) => Lunar.fromYmd(year, month, day).getSolar().toYmd(),
});
const fixed = (key: string, month: number, day: number): Festival => ({ key, calendar: 'solar', dateIn: (year) => yearlyDateIn(year, month, day) });
const nthSunday = (key: string, month: number, nth: number): Festival => ({ key, calendar: 'solar', dateIn: (year) => nthWeekdayOfMonth(year, month, 7, nth) });

export const festivals: readonly Festival[] = [
  lunar('spring-festival', 1, 1),
  lunar('lantern', 1, 15),
  lunar('dragon-boat', 5, 5),
  lunar('qixi', 7, 7),
  lunar('mid-autumn', 8, 15),
  lunar('double-ninth', 9, 9),
  fixed('new-year', 1, 1),
  fixed('valentines', 2, 14),
  fixed('womens-day', 3, 8),
  fixed('520', 5, 20),
  nthSunday('mothers-day', 5, 2),
  nthSunday('fathers-day', 6, 3),
  fixed('national-day', 10, 1),
  fixed('double-eleven', 11, 11),
  fixed('christmas', 12, 25),
];

export const festivalKeys = festivals.map((f) => f.key);

export function festivalOf(key: string): Festival | undefined {
  return festivals.find((f) => f.key === key);
}

/** A year's festivals in date order. */
export function festivalsIn(year: number): { key: string; calendar: 'lunar' | 'solar'; date: IsoDate }[] {
  return festivals.map((f) => ({ key: f.key, calendar: f.calendar, date: f.dateIn(year) })).sort((a, b) => a.date.localeCompare(b.date));
}

/** A festival's first date on or after `from`. */
export function nextFestivalDate(festival: Festival, from: IsoDate): IsoDate {
  const thisYear = festival.dateIn(yearOf(from));
  return thisYear >= from ? thisYear : festival.dateIn(yearOf(from) + 1);
}
