import { describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { maskPhone } from '../../server/presenters/customer.js';
import { monthDayRanges } from '../../server/services/console/summaries.js';
import { birthdayMonthDays, birthdayOf } from '../../server/services/customers/birthdays.js';
import { safeNext } from '../../server/routes/schemas/auth.schema.js';
import { loadConfig, ConfigError } from '../../server/config.js';
import { effectiveSettings, orgSettingsSchema } from '../../server/domain/settings.js';

describe('maskPhone', () => {
  it('keeps the first 3 and last 4 digits of a Chinese mobile', () => {
    expect(maskPhone('+8613812341234')).toBe('138****1234');
  });
  it('masks other numbers too', () => {
    expect(maskPhone('+14155550123')).toBe('141****0123');
  });
});

describe('month-day ranges for upcoming birthdays', () => {
  it('is one range inside a year', () => {
    expect(monthDayRanges(DateTime.fromISO('2026-03-01'), 7)).toEqual([{ $gte: 301, $lte: 308 }]);
  });
  it('splits a window that crosses 31 December', () => {
    expect(monthDayRanges(DateTime.fromISO('2026-12-28'), 7)).toEqual([
      { $gte: 1228, $lte: 1231 },
      { $gte: 101, $lte: 104 },
    ]);
  });
  it('reaches 29 February in a leap year', () => {
    expect(monthDayRanges(DateTime.fromISO('2028-02-27'), 3)).toEqual([{ $gte: 227, $lte: 301 }]);
  });
});

describe('birthdays', () => {
  it('keeps 29 February and collects distinct month-days of customer and relatives', () => {
    const own = birthdayOf({ month: 2, day: 29, year: 1992 });
    expect(own.md).toBe(229);
    expect(
      birthdayMonthDays(own, [
        { relation: '母亲', name: '王芳', birthday: birthdayOf({ month: 12, day: 3 }) },
        { relation: '孩子', name: '小明', birthday: birthdayOf({ month: 2, day: 29 }) },
      ]),
    ).toEqual([229, 1203]);
  });
});

describe('safeNext', () => {
  it('only follows local paths', () => {
    expect(safeNext('/admin/staff?x=1', '/')).toBe('/admin/staff?x=1');
    for (const bad of ['//evil.example', 'https://evil.example', '/\\evil.example', 42, undefined]) expect(safeNext(bad, '/home')).toBe('/home');
  });
});

describe('configuration', () => {
  it('requires a session secret in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40) })).not.toThrow();
  });
  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ NODE_ENV: 'test', MONGODB_URI: 'postgres://x' })).toThrow(/MONGODB_URI/);
  });
  it('defaults the port to 3000', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).port).toBe(3000);
  });
});

describe('organisation settings', () => {
  it('has the documented defaults', () => {
    expect(effectiveSettings(undefined)).toEqual({
      timezone: 'Asia/Shanghai',
      dndStart: '21:00',
      dndEnd: '08:00',
      maxEnterpriseTags: 3000,
      maxTransfers: 2,
      transferWindowDays: 90,
      stepUpMinutes: 5,
      followupRunAt: '08:30',
      replyWindowHours: 48,
      replyWindowMessages: 5,
      maxConcurrentSessions: 5,
      customerMessageLimit: 10,
      customerMessageWindowSeconds: 10,
      groupMemberCap: 600,
      momentsPerStaffPerDay: 3,
      momentsPerCustomerPerDay: 3,
      massMessagePolicy: 'month_days',
      contactBudgetPerDay: 3,
      visitorStartsPerHour: 200,
    });
  });
  it('fills settings added later with their defaults', () => {
    expect(effectiveSettings({ timezone: 'Asia/Hong_Kong' })).toMatchObject({ timezone: 'Asia/Hong_Kong', stepUpMinutes: 5 });
  });
  it('refuses an unknown timezone and an out-of-range step-up window', () => {
    expect(orgSettingsSchema.safeParse({ timezone: 'Nowhere/City' }).success).toBe(false);
    expect(orgSettingsSchema.safeParse({ stepUpMinutes: 0 }).success).toBe(false);
  });
});

describe('CSV cells', () => {
  it('writes would-be formulas as text and reads them back unchanged', async () => {
    const { parseBirthday, formatBirthday } = await import('../../server/services/customers/csv-format.js');
    const { neutraliseCell, readCell } = await import('../../server/domain/csv.js');
    for (const value of ['=SUM(A1)', '+86 138', '-1+2', '@me', '\t=1', '--02-29', '王芳', '']) expect(readCell(neutraliseCell(value))).toBe(value);
    for (const value of ['=1+1', '@SUM(1)', '+1+2', '-2+3', '--02-29', '\r=1']) expect(neutraliseCell(value)).toBe(`'${value}`);
    // Plain numbers (an E.164 phone) and ordinary text stay as they are.
    for (const value of ['+8613812345678', '-12', '42', '王芳', '2026-12-07T00:00:00.000Z']) expect(neutraliseCell(value)).toBe(value);
    expect(neutraliseCell(null)).toBe('');
    expect(parseBirthday('--02-29')).toEqual({ year: null, month: 2, day: 29 });
    expect(parseBirthday('1990-5-6')).toEqual({ year: 1990, month: 5, day: 6 });
    expect(parseBirthday('06/05/1990')).toBe('invalid');
    expect(formatBirthday({ year: null, month: 2, day: 29, md: 229 })).toBe('--02-29');
  });
});
