import { Customer, type CustomerDoc, type Birthday } from '../../models/customer.js';
import { Staff } from '../../models/staff.js';
import { FollowupFanout, FollowupTask, type FollowupTaskDoc } from '../../models/followup-task.js';
import { toObjectId } from '../ids.js';
import { effectiveRules, nextOccasionDate, type EffectiveRule } from './rules.js';
import { addDays, daysBetween, monthDayRanges, nextYearlyDate, yearlyDateIn, yearOf, type IsoDate } from '../../domain/calendar.js';
import { mongoose } from '../../db/connect.js';
import { insertNewDocuments } from '../../db/bulk-insert.js';
import { upsertRetryingOnce } from '../mongo-errors.js';

export type TaskRunResult = { date: IsoDate; created: number; matched: number };

const BATCH = 1000;
/** App processes' clocks may differ a little; a customer changed around a run's start is looked at again. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

type CustomerRow = Pick<CustomerDoc, '_id' | 'ownerId' | 'storeId' | 'tagIds' | 'birthday' | 'relatives'>;
type NewTask = Omit<FollowupTaskDoc, '_id' | 'createdAt' | 'updatedAt'>;

/** Writes tasks in batches; a task that already exists (same key) is skipped by the unique index, never duplicated. */
class TaskWriter {
  created = 0;
  matched = 0;
  private batch: NewTask[] = [];

  async add(task: NewTask): Promise<void> {
    this.matched += 1;
    this.batch.push(task);
    if (this.batch.length >= BATCH) await this.flush();
  }

  async flush(): Promise<void> {
    if (!this.batch.length) return;
    const docs = this.batch;
    this.batch = [];
    // Every daily run meets the tasks of earlier runs again: one indexed read per batch finds them, so they cost no
    // refused write (slow on engines that check a unique key by scanning, FerretDB: 206 s for 10,000 at 1 M customers).
    const known = new Set(
      (await FollowupTask.find({ orgId: docs[0]!.orgId, key: { $in: docs.map((d) => d.key) } }, { key: 1 }).lean<{ key: string }[]>()).map((t) => t.key),
    );
    const fresh = docs.filter((d) => !known.has(d.key));
    if (!fresh.length) return;
    // A task written meanwhile by another run (same key) is refused by the unique index and skipped; any other refusal throws, so is never counted as done.
    this.created += (await insertNewDocuments(FollowupTask, fresh)).inserted;
  }
}

function inAudience(rule: EffectiveRule, customer: CustomerRow): boolean {
  if (rule.storeIds.length && !rule.storeIds.some((id) => String(id) === String(customer.storeId))) return false;
  if (rule.tagIds.length && !customer.tagIds.some((tag) => rule.tagIds.some((id) => String(id) === String(tag)))) return false;
  return true;
}

function taskFor(
  orgId: mongoose.Types.ObjectId,
  customer: CustomerRow,
  rule: EffectiveRule,
  date: IsoDate,
  subject?: { relation: string; name: string },
): NewTask {
  const who = subject ? `relative:${subject.relation}:${subject.name}` : 'self';
  return {
    orgId,
    key: `${String(customer._id)}|${rule.occasion}|${who}|${date}`,
    customerId: customer._id,
    ownerId: customer.ownerId!,
    storeId: customer.storeId ?? null,
    occasion: rule.occasion,
    occasionName: rule.event?.name ?? null,
    relative: subject ?? null,
    date,
    dueOn: date,
    status: 'open',
    outcome: null,
    snoozeUntil: null,
    messageTemplate: rule.message,
    doneAt: null,
    doneBy: null,
  };
}

/** The date of a birthday within the rule's window, or null. */
function birthdayWithin(birthday: Birthday | null | undefined, today: IsoDate, leadDays: number): IsoDate | null {
  if (!birthday) return null;
  const date = nextYearlyDate(birthday.month, birthday.day, today);
  return daysBetween(today, date) <= leadDays ? date : null;
}

/**
 * Creates the follow-up tasks due on `today` (a day in the organisation's timezone): every occasion from today to
 * its rule's lead time ahead. Looking at the whole window rather than only the day that entered it makes a run
 * after downtime create what the missed days would have, and lets a customer added yesterday with a birthday
 * in three days get a task; the unique key keeps all of it exactly once.
 * Customers of staff who left or without an owner get none (the transfer gives them a new owner first).
 */
export async function createFollowupTasks(orgIdHex: string, today: IsoDate, opts: { customerIds?: mongoose.Types.ObjectId[] } = {}): Promise<TaskRunResult> {
  const orgId = toObjectId(orgIdHex);
  const rules = (await effectiveRules(orgIdHex)).filter((rule) => rule.enabled);
  const activeOwners = (await Staff.find({ orgId, status: 'active' }, { _id: 1 }).lean()).map((s) => s._id);
  const writer = new TaskWriter();
  const projection = { ownerId: 1, storeId: 1, tagIds: 1, birthday: 1, relatives: 1 };
  // Some customers only (just added or edited): the same rules and keys as the daily run, so that run adds nothing twice.
  const some = opts.customerIds;
  const base = { orgId, erasedAt: null, ownerId: { $in: activeOwners }, ...(some ? { _id: { $in: some } } : {}) };

  const own = rules.find((rule) => rule.kind === 'birthday');
  const relatives = rules.find((rule) => rule.kind === 'relative-birthday');
  const horizon = Math.max(own?.leadDays ?? -1, relatives?.leadDays ?? -1);
  if (horizon >= 0 && activeOwners.length) {
    const ranges = monthDayRanges(today, addDays(today, horizon));
    const filter = { ...base, $or: ranges.map(([from, to]) => ({ birthdayMds: { $elemMatch: { $gte: from, $lte: to } } })) };
    for await (const customer of Customer.find(filter, projection).lean<CustomerRow[]>().cursor()) {
      if (own && inAudience(own, customer)) {
        const date = birthdayWithin(customer.birthday, today, own.leadDays);
        if (date) await writer.add(taskFor(orgId, customer, own, date));
      }
      if (relatives && inAudience(relatives, customer)) {
        for (const relative of customer.relatives) {
          const date = birthdayWithin(relative.birthday, today, relatives.leadDays);
          if (date) await writer.add(taskFor(orgId, customer, relatives, date, { relation: relative.relation, name: relative.name }));
        }
      }
    }
  }

  for (const rule of rules.filter((r) => r.kind !== 'birthday' && r.kind !== 'relative-birthday')) {
    const date = nextOccasionDate(rule, today);
    if (!date || daysBetween(today, date) > rule.leadDays || !activeOwners.length) continue;
    const startedAt = new Date();
    const filter: Record<string, unknown> = { ...base };
    if (rule.tagIds.length) filter.tagIds = { $in: rule.tagIds };
    if (rule.storeIds.length) filter.storeId = { $in: rule.storeIds };
    // A festival reaches every customer of its audience: once a run has gone through them all, later runs in the
    // lead time look only at customers added or changed since (new, re-tagged, transferred), unless the rule changed.
    const previous = some ? null : await FollowupFanout.findOne({ orgId, occasion: rule.occasion, date }).lean();
    if (previous && (!rule.updatedAt || rule.updatedAt < previous.startedAt))
      filter.updatedAt = { $gte: new Date(previous.startedAt.getTime() - CLOCK_SKEW_MS) };
    for await (const customer of Customer.find(filter, projection).lean<CustomerRow[]>().cursor()) {
      await writer.add(taskFor(orgId, customer, rule, date));
    }
    await writer.flush();
    // A pass over some customers has not reached the whole audience: it must not stand for the fan-out.
    if (!some) await upsertRetryingOnce(() => FollowupFanout.updateOne({ orgId, occasion: rule.occasion, date }, { $set: { startedAt } }, { upsert: true }));
  }
  await writer.flush();
  return { date: today, created: writer.created, matched: writer.matched };
}

/**
 * After an edit: an open birthday task whose day is no longer the birthday of its person (the birthday moved, the
 * relative was removed or renamed) is withdrawn, so no clerk congratulates on the wrong day. It is deleted rather than
 * kept as cancelled because nobody has worked it: open, never snoozed, nothing in the timeline, and a cancelled task
 * would only swell the completion report. Snoozed and done tasks are someone's work and stay.
 */
export async function withdrawStaleBirthdayTasks(orgIdHex: string, customerIds: mongoose.Types.ObjectId[]): Promise<number> {
  const orgId = toObjectId(orgIdHex);
  const open = await FollowupTask.find(
    { orgId, customerId: { $in: customerIds }, status: 'open', occasion: { $in: ['birthday', 'relative-birthday'] } },
    { customerId: 1, occasion: 1, relative: 1, date: 1 },
  ).lean<Pick<FollowupTaskDoc, '_id' | 'customerId' | 'occasion' | 'relative' | 'date'>[]>();
  if (!open.length) return 0;
  const customers = new Map(
    (
      await Customer.find(
        { orgId, _id: { $in: [...new Set(open.map((t) => String(t.customerId)))].map((id) => toObjectId(id)) } },
        { birthday: 1, relatives: 1 },
      ).lean<CustomerRow[]>()
    ).map((c) => [String(c._id), c]),
  );
  const fallsOn = (birthday: Birthday | null | undefined, date: IsoDate) =>
    Boolean(birthday) && yearlyDateIn(yearOf(date), birthday!.month, birthday!.day) === date;
  const stale = open.filter((task) => {
    const customer = customers.get(String(task.customerId));
    if (!customer) return true;
    if (task.occasion === 'birthday') return !fallsOn(customer.birthday, task.date);
    const relative = customer.relatives.find((r) => r.relation === task.relative?.relation && r.name === task.relative?.name);
    return !relative || !fallsOn(relative.birthday, task.date);
  });
  if (!stale.length) return 0;
  // Still open at the moment of deletion: a task worked meanwhile is kept.
  return (await FollowupTask.deleteMany({ orgId, _id: { $in: stale.map((t) => t._id) }, status: 'open' })).deletedCount;
}
