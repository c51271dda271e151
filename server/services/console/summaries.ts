import { DateTime } from 'luxon';
import { Customer, type CustomerDoc } from '../../models/customer.js';
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

/** Month-day keys (MMDD) of the next `days` days in the organisation's timezone, as index ranges (a window may cross 31 December). */
export function monthDayRanges(today: DateTime, days: number): { $gte: number; $lte: number }[] {
  const md = (d: DateTime) => d.month * 100 + d.day;
  const start = md(today);
  const end = md(today.plus({ days }));
  return end >= start ? [{ $gte: start, $lte: end }] : [{ $gte: start, $lte: 1231 }, { $gte: 101, $lte: end }];
}

const UPCOMING_DAYS = 7;

export async function customerConsoleSummary(ctx: ServiceContext) {
  authorize(ctx.actor, 'customer.read');
  const filter = customerScopeFilter(ctx);
  const { timezone } = await getOrgSettings(ctx);
  const today = DateTime.now().setZone(timezone).startOf('day');
  // $and keeps the scope's own $or (owned or shared) next to the date ranges.
  const birthdayFilter = { ...filter, $and: [{ $or: monthDayRanges(today, UPCOMING_DAYS).map((range) => ({ birthdayMds: range })) }] };
  const [count, upcoming, recent] = await Promise.all([
    Customer.countDocuments(filter),
    Customer.find(birthdayFilter).sort({ name: 1 }).limit(20).lean<CustomerDoc[]>(),
    Customer.find(filter).sort({ updatedAt: -1, _id: -1 }).limit(10).lean<CustomerDoc[]>(),
  ]);
  const tagNames = await tagNamesFor(ctx, [...upcoming, ...recent].flatMap((c) => c.tagIds));
  return { count, upcoming, recent, tagNames, upcomingDays: UPCOMING_DAYS };
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
