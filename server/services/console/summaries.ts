import { DateTime } from 'luxon';
import { Customer, type Birthday, type CustomerDoc } from '../../models/customer.js';
import { Staff } from '../../models/staff.js';
import { Store } from '../../models/store.js';
import { Tag, TagGroup } from '../../models/tag.js';
import { listAuditEvents } from '../audit/record-audit.js';
import { authorize } from '../../policies/permissions.js';
import { customerScopeFilter } from '../customers/visibility.js';
import { tagNamesFor } from '../tags/tags.js';
import type { ServiceContext } from '../context.js';
import { toObjectId } from '../ids.js';
import { getOrgSettings } from '../org/settings.js';
import { listStaff } from '../org/staff.js';
import { clock } from '../../clock.js';
import { addDays, localDateOf, monthDayRanges as birthdayRanges, nextYearlyDate, type IsoDate } from '../../domain/calendar.js';

/** Month-day keys (MMDD) of the next `days` days in the organisation's timezone, as index ranges (a window may cross 31 December). */
export function monthDayRanges(today: DateTime, days: number): { $gte: number; $lte: number }[] {
  const md = (d: DateTime) => d.month * 100 + d.day;
  const start = md(today);
  const end = md(today.plus({ days }));
  return end >= start
    ? [{ $gte: start, $lte: end }]
    : [
        { $gte: start, $lte: 1231 },
        { $gte: 101, $lte: end },
      ];
}

const UPCOMING_DAYS = 7;
/** Customers read for the upcoming card (a clerk's week holds far fewer), and occasions shown, nearest first. */
const UPCOMING_READ = 500;
const UPCOMING_SHOWN = 20;

/** One birthday on the home card: the customer's own, or a relative's (whose, so the card never shows the wrong date). */
export type UpcomingBirthday = { customerId: string; customerName: string; relative: { relation: string; name: string } | null; date: IsoDate };

function birthdaysWithin(customer: Pick<CustomerDoc, '_id' | 'name' | 'birthday' | 'relatives'>, today: IsoDate, last: IsoDate): UpcomingBirthday[] {
  const on = (birthday: Birthday | null | undefined) => (birthday ? nextYearlyDate(birthday.month, birthday.day, today) : null);
  const people = [
    { relative: null, birthday: customer.birthday },
    ...customer.relatives.map((r) => ({ relative: { relation: r.relation, name: r.name }, birthday: r.birthday })),
  ];
  return people.flatMap(({ relative, birthday }) => {
    const date = on(birthday);
    return date && date <= last ? [{ customerId: String(customer._id), customerName: customer.name, relative, date }] : [];
  });
}

export async function customerConsoleSummary(ctx: ServiceContext) {
  authorize(ctx.actor, 'customer.read');
  const filter = customerScopeFilter(ctx);
  const { timezone } = await getOrgSettings(ctx);
  const today = localDateOf(clock.now(), timezone);
  const last = addDays(today, UPCOMING_DAYS);
  // $and keeps the scope's own $or (owned or shared) next to the date ranges.
  const birthdayFilter = { ...filter, $and: [{ $or: birthdayRanges(today, last).map(([from, to]) => ({ birthdayMds: { $gte: from, $lte: to } })) }] };
  const [count, birthdayCustomers, recent] = await Promise.all([
    Customer.countDocuments(filter),
    Customer.find(birthdayFilter, { name: 1, birthday: 1, relatives: 1 })
      .limit(UPCOMING_READ)
      .lean<Pick<CustomerDoc, '_id' | 'name' | 'birthday' | 'relatives'>[]>(),
    Customer.find(filter).sort({ updatedAt: -1, _id: -1 }).limit(10).lean<CustomerDoc[]>(),
  ]);
  const upcoming = birthdayCustomers
    .flatMap((c) => birthdaysWithin(c, today, last))
    .sort((a, b) => a.date.localeCompare(b.date) || a.customerName.localeCompare(b.customerName, 'zh-CN'));
  const tagNames = await tagNamesFor(
    ctx,
    recent.flatMap((c) => c.tagIds),
  );
  return { count, today, upcoming: upcoming.slice(0, UPCOMING_SHOWN), upcomingCount: upcoming.length, recent, tagNames, upcomingDays: UPCOMING_DAYS };
}

export async function managerConsoleSummary(ctx: ServiceContext) {
  authorize(ctx.actor, 'console.manager');
  const orgId = toObjectId(ctx.orgId);
  const storeId = ctx.actor.storeId ? toObjectId(ctx.actor.storeId) : null;
  const [store, staff, customerCount] = await Promise.all([
    storeId ? Store.findOne({ _id: storeId, orgId }).lean() : null,
    listStaff(ctx),
    Customer.countDocuments({ orgId, storeId, erasedAt: null }),
  ]);
  return { store, staff, customerCount };
}

export async function marketerConsoleSummary(ctx: ServiceContext) {
  authorize(ctx.actor, 'console.marketer');
  const orgId = toObjectId(ctx.orgId);
  const [customerCount, groups, tags, tagCounts] = await Promise.all([
    Customer.countDocuments({ orgId, erasedAt: null }),
    TagGroup.find({ orgId }).sort({ order: 1, name: 1 }).lean(),
    Tag.find({ orgId, ownerId: null }).sort({ order: 1, name: 1 }).lean(),
    Customer.aggregate<{ _id: unknown; count: number }>([{ $match: { orgId } }, { $unwind: '$tagIds' }, { $group: { _id: '$tagIds', count: { $sum: 1 } } }]),
  ]);
  const counts = new Map(tagCounts.map((row) => [String(row._id), row.count]));
  return {
    customerCount,
    groups: groups.map((group) => ({
      name: group.name,
      color: group.color,
      tags: tags.filter((tag) => String(tag.groupId) === String(group._id)).map((tag) => ({ name: tag.name, count: counts.get(String(tag._id)) ?? 0 })),
    })),
  };
}

export async function adminConsoleSummary(ctx: ServiceContext) {
  authorize(ctx.actor, 'console.admin');
  const orgId = toObjectId(ctx.orgId);
  const [storeCount, activeStaff, leftStaff, customerCount, recentAudit] = await Promise.all([
    Store.countDocuments({ orgId }),
    Staff.countDocuments({ orgId, status: 'active' }),
    Staff.countDocuments({ orgId, status: 'left' }),
    Customer.countDocuments({ orgId, erasedAt: null }),
    listAuditEvents(ctx, { limit: 8 }),
  ]);
  return { storeCount, activeStaff, leftStaff, customerCount, recentAudit };
}
