import { DateTime } from 'luxon';
import type { FollowupTaskDoc } from '../models/followup-task.js';
import type { FollowupRuleDoc } from '../models/followup-rule.js';
import { kindOf, type OccasionKind } from '../domain/occasions.js';
import { i18n } from '../i18n/index.js';
import { daysBetween } from '../domain/calendar.js';
import { fillPlaceholders, type PlaceholderKey } from '../domain/message-placeholders.js';

/** "3 December" / "12月3日": the occasion's day as people say it. */
export function dayLabel(date: string, locale: string): string {
  return DateTime.fromISO(date, { zone: 'utc' })
    .setLocale(locale === 'en' ? 'en-GB' : 'zh-CN')
    .toFormat(locale === 'en' ? 'd MMMM' : 'M月d日');
}

const NEAR_DAYS = 6;

/**
 * "明天 · 12月8日" / "tomorrow · 8 December": a day within a week of today (the organisation's day) also says how near
 * it is, in the reader's language (luxon's relative calendar: 今天, 明天, 后天, 3天后, 昨天…); farther days only the date.
 */
export function nearDayLabel(date: string, today: string, locale: string): string {
  const label = dayLabel(date, locale);
  if (Math.abs(daysBetween(today, date)) > NEAR_DAYS) return label;
  const near = DateTime.fromISO(date, { zone: 'utc' }).toRelativeCalendar({
    base: DateTime.fromISO(today, { zone: 'utc' }),
    locale: locale === 'en' ? 'en-GB' : 'zh-CN',
    unit: 'days',
  });
  return near ? i18n.t('nearDay.label', { lng: locale, near, date: label }) : label;
}

/** The occasion's name in the reader's language; a relative's birthday says whose ("her mother Li Hua's birthday"). */
export function occasionLabel(task: Pick<FollowupTaskDoc, 'occasion' | 'occasionName' | 'relative'>, locale: string): string {
  const t = i18n.getFixedT(locale);
  const kind = kindOf(task.occasion);
  if (kind === 'event') return task.occasionName ?? t('occasions.event');
  if (kind === 'relative-birthday' && task.relative) return t('followups.relativeBirthday', { relation: task.relative.relation, name: task.relative.name });
  return t(`occasions.${task.occasion}`);
}

/** A row of the home card's upcoming birthdays: whose birthday it is, on which day, linking to the customer. */
export function presentUpcomingBirthday(
  row: { customerId: string; customerName: string; relative: { relation: string; name: string } | null; date: string },
  today: string,
  locale: string,
) {
  return {
    customerId: row.customerId,
    customerName: row.customerName,
    url: `/customers/${row.customerId}`,
    whose: occasionLabel({ occasion: row.relative ? 'relative-birthday' : 'birthday', occasionName: null, relative: row.relative }, locale),
    date: row.date,
    dateLabel: nearDayLabel(row.date, today, locale),
  };
}

export type MessageValues = Partial<Record<PlaceholderKey, string>>;

/** Fills the placeholders in either form (`{customer}` or `{客户称呼}`, …); anything else in braces stays as typed. */
export function fillMessage(template: string, values: MessageValues): string {
  return fillPlaceholders(template, values);
}

export function defaultTemplate(occasion: string, locale: string): string {
  const kind = kindOf(occasion);
  const key = kind === 'birthday' ? 'birthday' : kind === 'relative-birthday' ? 'relative' : 'festival';
  return i18n.t(`followups.defaultMessage.${key}`, { lng: locale });
}

export type FollowupView = ReturnType<typeof presentFollowup>;

export function presentFollowup(
  task: FollowupTaskDoc,
  names: { customers: Map<string, string>; staff: Map<string, string>; stores?: Map<string, string> },
  locale: string,
  today?: string,
) {
  const customerName = names.customers.get(String(task.customerId)) ?? '—';
  const clerkName = names.staff.get(String(task.ownerId)) ?? '';
  const occasion = occasionLabel(task, locale);
  const suggestedMessage = fillMessage(task.messageTemplate || defaultTemplate(task.occasion, locale), {
    customer: customerName,
    relative: task.relative?.name ?? '',
    relation: task.relative?.relation ?? '',
    occasion,
    date: dayLabel(task.date, locale),
    clerk: clerkName,
    store: task.storeId ? (names.stores?.get(String(task.storeId)) ?? '') : '',
  });
  return {
    id: String(task._id),
    customerId: String(task.customerId),
    customerName,
    ownerId: String(task.ownerId),
    ownerName: clerkName,
    storeId: task.storeId ? String(task.storeId) : null,
    occasion: task.occasion,
    occasionLabel: occasion,
    ...(task.relative ? { relative: { relation: task.relative.relation, name: task.relative.name } } : {}),
    date: task.date,
    dateLabel: today ? nearDayLabel(task.date, today, locale) : dayLabel(task.date, locale),
    daysAway: today ? daysBetween(today, task.date) : null,
    status: task.status,
    outcome: task.outcome ?? null,
    snoozeUntil: task.snoozeUntil ?? null,
    dueOn: task.dueOn,
    suggestedMessage,
  };
}

/** The API's shape of a task (the contract plus names and labels for clients). */
export function presentFollowupForApi(view: FollowupView) {
  const { daysAway: _daysAway, ...rest } = view;
  return rest;
}

/** A rule as the follow-up rules service gives it: stored, or the product's default for a built-in occasion. */
type RuleToPresent = Pick<FollowupRuleDoc, 'occasion' | 'enabled' | 'leadDays' | 'tagIds' | 'storeIds' | 'message' | 'event'> & {
  id: string | null;
  kind: OccasionKind;
  customised: boolean;
};

export function presentRule(rule: RuleToPresent, locale: string) {
  return {
    id: rule.id,
    occasion: rule.occasion,
    kind: rule.kind,
    label: rule.event ? rule.event.name : i18n.t(`occasions.${rule.occasion}`, { lng: locale }),
    enabled: rule.enabled,
    leadDays: rule.leadDays,
    tagIds: rule.tagIds.map(String),
    storeIds: rule.storeIds.map(String),
    message: rule.message,
    defaultMessage: defaultTemplate(rule.occasion, locale),
    customised: rule.customised,
    event: rule.event ? { name: rule.event.name, month: rule.event.month, day: rule.event.day, year: rule.event.year ?? null } : null,
  };
}
