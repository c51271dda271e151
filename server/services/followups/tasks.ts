import { FollowupTask, type FollowupTaskDoc, type FollowupStatus, type FollowupOutcome } from '../../models/followup-task.js';
import { Staff } from '../../models/staff.js';
import { Store } from '../../models/store.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { authorize, type Action } from '../../policies/permissions.js';
import { scopeFilter } from '../../policies/scopes.js';
import type { ServiceContext } from '../context.js';
import { toObjectId } from '../ids.js';
import { customerNamesById, staffNamesById, storeNamesById } from '../names.js';
import { getOrgSettings, orgToday } from '../org/settings.js';
import { clock } from '../../clock.js';
import { appendTimeline } from '../customers/timeline.js';
import { followupDefaults } from '../../domain/settings.js';
import { addDays, isRealDate, localDateOf, startOfDay, type IsoDate } from '../../domain/calendar.js';
import { mongoose } from '../../db/connect.js';

/** The tasks an actor may see or work, from the matrix: their own, their store's, or the organisation's. */
function followupScopeFilter(ctx: ServiceContext, action: Extract<Action, 'followup.read' | 'followup.work' | 'followup.report'>): Record<string, unknown> {
  return scopeFilter(ctx, action);
}

/** Narrows a scoped filter to one owner; an owner outside the actor's reach leaves nothing, never widens it. */
function narrowToOwner(filter: Record<string, unknown>, owner: string): void {
  const ownerId = toObjectId(owner, 'staff');
  if (filter.ownerId && String(filter.ownerId) !== String(ownerId)) filter._id = { $in: [] };
  else filter.ownerId = ownerId;
}

const notDone = { status: { $ne: 'done' as const } };

/**
 * The inbox's three lists partition every task not done, by the day it asks for attention (`dueOn`: the
 * occasion's day, or the day it was snoozed to) and the occasion's day:
 * upcoming: due later; today: due now and the occasion not past; overdue: due and the occasion past.
 */
function bucketFilters(today: IsoDate) {
  return {
    today: { ...notDone, dueOn: { $lte: today }, date: { $gte: today } },
    overdue: { ...notDone, dueOn: { $lte: today }, date: { $lt: today } },
    upcoming: { ...notDone, dueOn: { $gt: today } },
  };
}

export type Inbox = {
  today: IsoDate;
  lists: Record<'today' | 'overdue' | 'upcoming', FollowupTaskDoc[]>;
  counts: Record<'today' | 'overdue' | 'upcoming', number>;
};

const INBOX_LIMIT = 100;

export async function followupInbox(ctx: ServiceContext, opts: { ownerId?: string | undefined } = {}): Promise<Inbox> {
  authorize(ctx.actor, 'followup.read');
  const scope = followupScopeFilter(ctx, 'followup.read');
  if (opts.ownerId) narrowToOwner(scope, opts.ownerId);
  const today = await orgToday(ctx);
  const buckets = bucketFilters(today);
  const [todayList, overdue, upcoming, counts] = await Promise.all([
    FollowupTask.find({ ...scope, ...buckets.today })
      .sort({ date: 1, _id: 1 })
      .limit(INBOX_LIMIT)
      .lean<FollowupTaskDoc[]>(),
    FollowupTask.find({ ...scope, ...buckets.overdue })
      .sort({ date: 1, _id: 1 })
      .limit(INBOX_LIMIT)
      .lean<FollowupTaskDoc[]>(),
    FollowupTask.find({ ...scope, ...buckets.upcoming })
      .sort({ dueOn: 1, date: 1, _id: 1 })
      .limit(INBOX_LIMIT)
      .lean<FollowupTaskDoc[]>(),
    Promise.all([
      FollowupTask.countDocuments({ ...scope, ...buckets.today }),
      FollowupTask.countDocuments({ ...scope, ...buckets.overdue }),
      FollowupTask.countDocuments({ ...scope, ...buckets.upcoming }),
    ]),
  ]);
  return { today, lists: { today: todayList, overdue, upcoming }, counts: { today: counts[0], overdue: counts[1], upcoming: counts[2] } };
}

/** The console badge: the signed-in staff member's own tasks waiting for them (not done, not snoozed to a later day). */
export async function followupBadgeCount(ctx: ServiceContext, today: IsoDate): Promise<number> {
  return FollowupTask.countDocuments({
    orgId: toObjectId(ctx.orgId),
    ownerId: toObjectId(ctx.actor.id),
    $or: [{ status: 'open' }, { status: 'snoozed', dueOn: { $lte: today } }],
  });
}

export type FollowupQuery = {
  from?: IsoDate | undefined;
  to?: IsoDate | undefined;
  owner?: string | undefined;
  status?: FollowupStatus | undefined;
  page: number;
  limit: number;
};

export async function listFollowups(ctx: ServiceContext, query: FollowupQuery): Promise<{ items: FollowupTaskDoc[]; total: number }> {
  authorize(ctx.actor, 'followup.read');
  const filter = followupScopeFilter(ctx, 'followup.read');
  if (query.from || query.to) filter.date = { ...(query.from ? { $gte: query.from } : {}), ...(query.to ? { $lte: query.to } : {}) };
  if (query.owner) narrowToOwner(filter, query.owner);
  if (query.status) filter.status = query.status;
  const [items, total] = await Promise.all([
    FollowupTask.find(filter)
      .sort({ date: 1, _id: 1 })
      .skip((query.page - 1) * query.limit)
      .limit(query.limit)
      .lean<FollowupTaskDoc[]>(),
    FollowupTask.countDocuments(filter),
  ]);
  return { items, total };
}

export async function getFollowup(ctx: ServiceContext, id: string): Promise<FollowupTaskDoc> {
  authorize(ctx.actor, 'followup.read');
  const task = await FollowupTask.findOne({ ...followupScopeFilter(ctx, 'followup.read'), _id: toObjectId(id, 'follow-up') }).lean<FollowupTaskDoc>();
  if (!task) throw new NotFoundError('No such follow-up');
  return task;
}

export type FollowupChange = { status: FollowupStatus; outcome?: FollowupOutcome | undefined; snoozeUntil?: IsoDate | undefined };

/**
 * Done (with an outcome, written to the customer's timeline), snoozed to a later day, or open again.
 * Only the owner, their manager or an admin works a task; others who may read it get 403.
 */
export async function updateFollowup(ctx: ServiceContext, id: string, change: FollowupChange): Promise<FollowupTaskDoc> {
  const task = await getFollowup(ctx, id);
  authorize(ctx.actor, 'followup.work', { ownerId: String(task.ownerId), storeId: task.storeId ? String(task.storeId) : null });
  const today = await orgToday(ctx);
  let set: Partial<FollowupTaskDoc>;
  if (change.status === 'done') {
    if (!change.outcome) throw new ValidationError({ outcome: ['required'] });
    set = { status: 'done', outcome: change.outcome, snoozeUntil: null, dueOn: task.date, doneAt: clock.now(), doneBy: toObjectId(ctx.actor.id) };
  } else if (change.status === 'snoozed') {
    const until = change.snoozeUntil;
    if (!until) throw new ValidationError({ snoozeUntil: ['required'] });
    if (!isRealDate(until)) throw new ValidationError({ snoozeUntil: ['invalid_date'] });
    if (until <= today || until > addDays(today, followupDefaults.maxLeadDays)) throw new ValidationError({ snoozeUntil: ['snooze_range'] });
    set = { status: 'snoozed', snoozeUntil: until, dueOn: until, outcome: null, doneAt: null, doneBy: null };
  } else {
    set = { status: 'open', snoozeUntil: null, dueOn: task.date, outcome: null, doneAt: null, doneBy: null };
  }
  const updated = await FollowupTask.findOneAndUpdate({ _id: task._id, orgId: task.orgId }, { $set: set }, { returnDocument: 'after' }).lean<FollowupTaskDoc>();
  if (!updated) throw new NotFoundError('No such follow-up');
  if (change.status === 'done' && task.status !== 'done') {
    await appendTimeline(ctx, task.customerId, 'followup.done', {
      occasion: task.occasion,
      occasionName: task.occasionName ?? null,
      date: task.date,
      outcome: change.outcome,
      relative: task.relative?.relation ?? null,
    });
  }
  return updated;
}

export type CompletionRow = {
  storeId: string | null;
  storeName: string | null;
  ownerId: string;
  ownerName: string;
  total: number;
  done: number;
  overdue: number;
  outcomes: Record<string, number>;
  rate: number;
};

/**
 * Which tasks a report range holds: those whose occasion falls in it, and those done in it (in the organisation's
 * timezone). Clerks follow up days ahead of the occasion, so a task done today for next week's birthday counts today;
 * counting by occasion alone hid it from the default range. The page and the API say so (`basis`).
 */
export const completionBasis = 'occasion_or_done' as const;

/** Completion per store and clerk for the tasks of a range (by default the last 30 days up to today; see completionBasis). */
export async function followupCompletion(
  ctx: ServiceContext,
  asked: { from?: IsoDate | undefined; to?: IsoDate | undefined },
): Promise<{
  from: IsoDate;
  to: IsoDate;
  basis: typeof completionBasis;
  rows: CompletionRow[];
  totals: Omit<CompletionRow, 'storeId' | 'storeName' | 'ownerId' | 'ownerName'>;
}> {
  authorize(ctx.actor, 'followup.report');
  const { timezone } = await getOrgSettings(ctx);
  const today = localDateOf(clock.now(), timezone);
  const range = { from: asked.from ?? addDays(today, -30), to: asked.to ?? today };
  const doneWithin = { $gte: startOfDay(range.from, timezone), $lt: startOfDay(addDays(range.to, 1), timezone) };
  const grouped = await FollowupTask.aggregate<{
    _id: { storeId: mongoose.Types.ObjectId | null; ownerId: mongoose.Types.ObjectId };
    total: number;
    done: number;
    overdue: number;
    outcomes: (string | null)[];
  }>([
    {
      $match: { ...followupScopeFilter(ctx, 'followup.report'), $or: [{ date: { $gte: range.from, $lte: range.to } }, { status: 'done', doneAt: doneWithin }] },
    },
    {
      $group: {
        _id: { storeId: '$storeId', ownerId: '$ownerId' },
        total: { $sum: 1 },
        done: { $sum: { $cond: [{ $eq: ['$status', 'done'] }, 1, 0] } },
        overdue: { $sum: { $cond: [{ $and: [{ $ne: ['$status', 'done'] }, { $lt: ['$date', today] }] }, 1, 0] } },
        outcomes: { $push: '$outcome' },
      },
    },
  ]);
  const orgId = toObjectId(ctx.orgId);
  const [staff, stores] = await Promise.all([
    Staff.find({ orgId, _id: { $in: grouped.map((g) => g._id.ownerId) } }, { realName: 1 }).lean(),
    Store.find({ orgId, _id: { $in: grouped.map((g) => g._id.storeId).filter(Boolean) } }, { name: 1 }).lean(),
  ]);
  const staffNames = new Map(staff.map((s) => [String(s._id), s.realName]));
  const storeNames = new Map(stores.map((s) => [String(s._id), s.name]));
  const tally = (outcomes: (string | null)[]) =>
    outcomes.filter((o): o is string => Boolean(o)).reduce<Record<string, number>>((acc, o) => ({ ...acc, [o]: (acc[o] ?? 0) + 1 }), {});
  const rate = (done: number, total: number) => (total ? Math.round((done / total) * 100) : 0);
  const rows = grouped
    .map((g) => ({
      storeId: g._id.storeId ? String(g._id.storeId) : null,
      storeName: g._id.storeId ? (storeNames.get(String(g._id.storeId)) ?? null) : null,
      ownerId: String(g._id.ownerId),
      ownerName: staffNames.get(String(g._id.ownerId)) ?? '—',
      total: g.total,
      done: g.done,
      overdue: g.overdue,
      outcomes: tally(g.outcomes),
      rate: rate(g.done, g.total),
    }))
    .sort((a, b) => (a.storeName ?? '').localeCompare(b.storeName ?? '', 'zh-CN') || a.ownerName.localeCompare(b.ownerName, 'zh-CN'));
  const sum = (column: 'total' | 'done' | 'overdue') => rows.reduce((n, r) => n + r[column], 0);
  const outcomes = tally(grouped.flatMap((g) => g.outcomes));
  return {
    ...range,
    basis: completionBasis,
    rows,
    totals: { total: sum('total'), done: sum('done'), overdue: sum('overdue'), outcomes, rate: rate(sum('done'), sum('total')) },
  };
}

/** Open tasks follow their customers to the new owner (called by the transfer service after the move). */
export async function moveFollowupsWithCustomers(
  orgId: string,
  customerIds: string[],
  to: { staffId: mongoose.Types.ObjectId; storeId: mongoose.Types.ObjectId | null },
): Promise<number> {
  if (!customerIds.length) return 0;
  const result = await FollowupTask.updateMany(
    { orgId: toObjectId(orgId), customerId: { $in: customerIds.map((id) => toObjectId(id)) }, ...notDone },
    { $set: { ownerId: to.staffId, storeId: to.storeId } },
  );
  return result.modifiedCount;
}

/** An erased customer's tasks go too: they name the customer and their relatives. */
export async function deleteFollowupsOfCustomer(orgId: string, customerId: mongoose.Types.ObjectId): Promise<void> {
  await FollowupTask.deleteMany({ orgId: toObjectId(orgId), customerId });
}

/** Names for a page of tasks: customers (within the organisation), their owners and the owners' stores. */
export async function namesForTasks(
  ctx: ServiceContext,
  tasks: FollowupTaskDoc[],
): Promise<{ customers: Map<string, string>; staff: Map<string, string>; stores: Map<string, string> }> {
  const orgId = toObjectId(ctx.orgId);
  const [customers, staff, stores] = await Promise.all([
    customerNamesById(
      orgId,
      tasks.map((t) => t.customerId),
    ),
    staffNamesById(
      orgId,
      tasks.map((t) => t.ownerId),
    ),
    storeNamesById(
      orgId,
      tasks.flatMap((t) => (t.storeId ? [t.storeId] : [])),
    ),
  ]);
  return { customers, staff, stores };
}
