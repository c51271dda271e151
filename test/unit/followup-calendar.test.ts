import { describe, expect, it } from '@jest/globals';
import { festivalsIn } from '../../server/domain/holidays.js';
import { monthDayRanges, nextYearlyDate, yearlyDateIn } from '../../server/domain/calendar.js';
import { deliverableAt } from '../../server/services/org/dnd.js';
import { fillMessage } from '../../server/presenters/followup.js';

const dates = (year: number) => Object.fromEntries(festivalsIn(year).map((f) => [f.key, f.date]));

describe('festival dates', () => {
  // The State Council's published holiday notices (lunar festivals) and the weekday rules for the solar ones.
  it.each([
    [
      2024,
      {
        'spring-festival': '2024-02-10',
        lantern: '2024-02-24',
        'dragon-boat': '2024-06-10',
        qixi: '2024-08-10',
        'mid-autumn': '2024-09-17',
        'double-ninth': '2024-10-11',
        'mothers-day': '2024-05-12',
        'fathers-day': '2024-06-16',
      },
    ],
    [
      2025,
      {
        'spring-festival': '2025-01-29',
        lantern: '2025-02-12',
        'dragon-boat': '2025-05-31',
        qixi: '2025-08-29',
        'mid-autumn': '2025-10-06',
        'double-ninth': '2025-10-29',
        'mothers-day': '2025-05-11',
        'fathers-day': '2025-06-15',
      },
    ],
    [
      2026,
      {
        'spring-festival': '2026-02-17',
        lantern: '2026-03-03',
        'dragon-boat': '2026-06-19',
        qixi: '2026-08-19',
        'mid-autumn': '2026-09-25',
        'double-ninth': '2026-10-18',
        'mothers-day': '2026-05-10',
        'fathers-day': '2026-06-21',
      },
    ],
  ])('%i matches the published dates', (year, expected) => {
    expect(dates(year)).toMatchObject(expected);
  });

  it('has every festival key of the API, fixed solar days included, in date order', () => {
    const list = festivalsIn(2027);
    expect(list.map((f) => f.key).sort()).toEqual(
      [
        'spring-festival',
        'lantern',
        'dragon-boat',
        'qixi',
        'mid-autumn',
        'double-ninth',
        'new-year',
        'valentines',
        'womens-day',
        '520',
        'mothers-day',
        'fathers-day',
        'national-day',
        'double-eleven',
        'christmas',
      ].sort(),
    );
    expect(list.map((f) => f.date)).toEqual([...list.map((f) => f.date)].sort());
    expect(dates(2027)).toMatchObject({
      'new-year': '2027-01-01',
      valentines: '2027-02-14',
      'womens-day': '2027-03-08',
      '520': '2027-05-20',
      'national-day': '2027-10-01',
      'double-eleven': '2027-11-11',
      christmas: '2027-12-25',
    });
  });
});

describe('calendar rules', () => {
  it('celebrates 29 February on 28 February in other years', () => {
    expect(yearlyDateIn(2027, 2, 29)).toBe('2027-02-28');
    expect(yearlyDateIn(2028, 2, 29)).toBe('2028-02-29');
    expect(nextYearlyDate(2, 29, '2027-02-20')).toBe('2027-02-28');
    expect(nextYearlyDate(2, 29, '2027-03-01')).toBe('2028-02-29');
  });

  it('splits a window across the year end into two month-day ranges', () => {
    expect(monthDayRanges('2026-12-25', '2027-01-04')).toEqual([
      [1225, 1231],
      [101, 104],
    ]);
    expect(monthDayRanges('2026-06-01', '2026-06-08')).toEqual([[601, 608]]);
  });

  it('holds 29 February in a window ending on 28 February of a common year only', () => {
    expect(monthDayRanges('2027-02-21', '2027-02-28')).toEqual([[221, 229]]);
    expect(monthDayRanges('2028-02-21', '2028-02-28')).toEqual([[221, 228]]);
  });

  it('holds a reminder inside the do-not-disturb window until it ends, across midnight and in the organisation timezone', () => {
    const window = { dndStart: '21:00', dndEnd: '08:00' };
    // 07:30 in Shanghai is 23:30 UTC the day before: held until 08:00 Shanghai (00:00 UTC).
    expect(deliverableAt(new Date('2026-12-01T23:30:00Z'), 'Asia/Shanghai', window).toISOString()).toBe('2026-12-02T00:00:00.000Z');
    // 22:00 in Shanghai waits for 08:00 the next morning.
    expect(deliverableAt(new Date('2026-12-01T14:00:00Z'), 'Asia/Shanghai', window).toISOString()).toBe('2026-12-02T00:00:00.000Z');
    // 08:30 in Shanghai is outside: now.
    const now = new Date('2026-12-02T00:30:00Z');
    expect(deliverableAt(now, 'Asia/Shanghai', window)).toBe(now);
    // A daytime window (12:00-14:00) in Los Angeles.
    expect(deliverableAt(new Date('2026-12-01T20:30:00Z'), 'America/Los_Angeles', { dndStart: '12:00', dndEnd: '14:00' }).toISOString()).toBe(
      '2026-12-01T22:00:00.000Z',
    );
  });

  it('fills the placeholders of a suggested message and leaves other braces as typed', () => {
    expect(
      fillMessage('{customer}，{relation}{relative}的生日是{date}；{clerk} {unknown}', {
        customer: '王芳',
        relative: '李华',
        relation: '母亲',
        occasion: '',
        date: '12月3日',
        clerk: '小张',
      }),
    ).toBe('王芳，母亲李华的生日是12月3日；小张 {unknown}');
  });
});
