import { describe, expect, it } from '@jest/globals';
import { dayPeriod, massMessagePeriod, secondsUntil } from '../../server/services/limits/usage.js';

const at = (iso: string) => new Date(iso);

describe('dayPeriod', () => {
  it('is the local date and ends at the next local midnight (Shanghai, UTC+8)', () => {
    // 23:30 local on 1 December is 15:30 UTC.
    expect(dayPeriod(at('2026-12-01T15:30:00Z'), 'Asia/Shanghai')).toEqual({ key: '2026-12-01', endsAt: at('2026-12-01T16:00:00Z') });
    // Half an hour later it is already the 2nd there, while UTC still says the 1st.
    expect(dayPeriod(at('2026-12-01T16:30:00Z'), 'Asia/Shanghai')).toEqual({ key: '2026-12-02', endsAt: at('2026-12-02T16:00:00Z') });
  });

  it('follows the timezone west of UTC, across daylight saving', () => {
    // New York, 20:00 local on 1 July (EDT, UTC-4): the day ends at 04:00 UTC on the 2nd.
    expect(dayPeriod(at('2026-07-02T00:00:00Z'), 'America/New_York')).toEqual({ key: '2026-07-01', endsAt: at('2026-07-02T04:00:00Z') });
    // In winter (EST, UTC-5) the same local hour ends at 05:00 UTC.
    expect(dayPeriod(at('2026-12-02T01:00:00Z'), 'America/New_York')).toEqual({ key: '2026-12-01', endsAt: at('2026-12-02T05:00:00Z') });
    // The day the clocks go forward (8 March 2026) is 23 hours long; it still ends at the next local midnight.
    const spring = dayPeriod(at('2026-03-08T12:00:00Z'), 'America/New_York');
    expect(spring).toEqual({ key: '2026-03-08', endsAt: at('2026-03-09T04:00:00Z') });
  });

  it('differs between timezones for the same instant', () => {
    const instant = at('2026-05-10T02:00:00Z');
    expect(dayPeriod(instant, 'Asia/Shanghai').key).toBe('2026-05-10');
    expect(dayPeriod(instant, 'America/Los_Angeles').key).toBe('2026-05-09');
    expect(dayPeriod(instant, 'Europe/Berlin').endsAt).toEqual(at('2026-05-10T22:00:00Z'));
  });
});

describe('massMessagePeriod', () => {
  it('month_days allows as many posts as the month has days, keyed by month, ending at the next month', () => {
    expect(massMessagePeriod('month_days', at('2028-02-10T04:00:00Z'), 'Asia/Shanghai')).toEqual({
      key: '2028-02',
      limit: 29,
      endsAt: at('2028-02-29T16:00:00Z'),
    });
    expect(massMessagePeriod('month_days', at('2027-02-10T04:00:00Z'), 'Asia/Shanghai').limit).toBe(28);
    expect(massMessagePeriod('month_days', at('2026-04-10T04:00:00Z'), 'Asia/Shanghai').limit).toBe(30);
    expect(massMessagePeriod('month_days', at('2026-12-10T04:00:00Z'), 'Asia/Shanghai')).toMatchObject({
      key: '2026-12',
      limit: 31,
      endsAt: at('2026-12-31T16:00:00Z'),
    });
  });

  it('month_days counts the local month: 31 January 20:00 UTC is already February in Shanghai', () => {
    const instant = at('2028-01-31T20:00:00Z');
    expect(massMessagePeriod('month_days', instant, 'Asia/Shanghai')).toMatchObject({ key: '2028-02', limit: 29 });
    expect(massMessagePeriod('month_days', instant, 'Europe/London')).toMatchObject({ key: '2028-01', limit: 31, endsAt: at('2028-02-01T00:00:00Z') });
  });

  it('week_7 keys ISO weeks (Monday to Sunday, ISO week-year) and allows 7', () => {
    // Monday 4 January 2027 starts ISO week 1 of 2027; the Sunday before belongs to week 53 of 2026.
    expect(massMessagePeriod('week_7', at('2027-01-04T02:00:00Z'), 'Asia/Shanghai')).toEqual({ key: '2027-W01', limit: 7, endsAt: at('2027-01-10T16:00:00Z') });
    expect(massMessagePeriod('week_7', at('2027-01-03T02:00:00Z'), 'Asia/Shanghai')).toEqual({ key: '2026-W53', limit: 7, endsAt: at('2027-01-03T16:00:00Z') });
    // 31 December 2029 (a Monday) is in week 1 of 2030.
    expect(massMessagePeriod('week_7', at('2029-12-31T12:00:00Z'), 'UTC').key).toBe('2030-W01');
    // Every instant of one local week has the same key.
    const keys = new Set(
      [0, 1, 2, 3, 4, 5, 6].map((d) => massMessagePeriod('week_7', at(`2026-11-${String(16 + d).padStart(2, '0')}T08:00:00Z`), 'Asia/Shanghai').key),
    );
    expect([...keys]).toEqual(['2026-W47']);
  });

  it('week_7 ends at local Monday midnight in the organisation timezone', () => {
    // Sunday 22 November 2026, 23:00 in New York (EST) = 04:00 UTC Monday; the week ends at 05:00 UTC.
    expect(massMessagePeriod('week_7', at('2026-11-23T04:00:00Z'), 'America/New_York')).toEqual({
      key: '2026-W47',
      limit: 7,
      endsAt: at('2026-11-23T05:00:00Z'),
    });
  });

  it('day_1 allows one per local day and ends at local midnight', () => {
    expect(massMessagePeriod('day_1', at('2026-12-01T15:30:00Z'), 'Asia/Shanghai')).toEqual({
      key: '2026-12-01',
      limit: 1,
      endsAt: at('2026-12-01T16:00:00Z'),
    });
    expect(massMessagePeriod('day_1', at('2026-12-01T15:30:00Z'), 'America/Sao_Paulo')).toEqual({
      key: '2026-12-01',
      limit: 1,
      endsAt: at('2026-12-02T03:00:00Z'),
    });
  });
});

describe('secondsUntil', () => {
  it('rounds up and is at least one second', () => {
    expect(secondsUntil(at('2026-12-01T16:00:00Z'), at('2026-12-01T15:59:58.500Z'))).toBe(2);
    expect(secondsUntil(at('2026-12-01T16:00:00Z'), at('2026-12-01T16:00:01Z'))).toBe(1);
  });
});
