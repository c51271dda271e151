import { DateTime } from 'luxon';
import { counterKey, UsageCounter, type UsageCounterDoc } from '../../models/usage-counter.js';
import { isDuplicateKey, retryingTransientConflicts, upsertRetryingOnce } from '../mongo-errors.js';
import { insertNewDocuments } from '../../db/bulk-insert.js';
import type { MassMessagePolicy } from '../../domain/settings.js';
import { mongoose } from '../../db/connect.js';

/** A counting period in the organisation's timezone: its key (part of the counter's key) and when it ends. */
export type Period = { key: string; endsAt: Date };

export function dayPeriod(now: Date, timezone: string): Period {
  const local = DateTime.fromJSDate(now, { zone: timezone });
  return { key: local.toISODate()!, endsAt: local.startOf('day').plus({ days: 1 }).toJSDate() };
}

/** The mass-message period of a policy and how many messages it allows (DOMAIN: a month's days, 7 a week, or 1 a day). */
export function massMessagePeriod(policy: MassMessagePolicy, now: Date, timezone: string): Period & { limit: number } {
  const local = DateTime.fromJSDate(now, { zone: timezone });
  if (policy === 'day_1') return { ...dayPeriod(now, timezone), limit: 1 };
  if (policy === 'week_7') return { key: local.toFormat("kkkk-'W'WW"), endsAt: local.startOf('week').plus({ weeks: 1 }).toJSDate(), limit: 7 };
  return { key: local.toFormat('yyyy-MM'), endsAt: local.startOf('month').plus({ months: 1 }).toJSDate(), limit: local.daysInMonth! };
}

export type CounterLimits = {
  /** At most this many in total. */
  limit: number;
  /** And at most this many through one channel (a customer's moments per day within all touches). */
  channel?: { name: string; limit: number } | undefined;
};

/**
 * Whether a counter as read would take one more use under these limits: the same condition `consumeUsage` puts in
 * its update, for answers given ahead of time (a composer's preview). Only `consumeUsage` decides.
 */
export function allowsUse(usage: Pick<UsageCounterDoc, 'used' | 'by'>, limits: CounterLimits): boolean {
  if (usage.used >= limits.limit) return false;
  return !limits.channel || (usage.by?.[limits.channel.name] ?? 0) < limits.channel.limit;
}

/** The update's condition for one more use under these limits, and the increment it makes (shared by the single and the batched count). */
function conditionalUse(limits: CounterLimits): { condition: Record<string, unknown>; inc: Record<string, number> } {
  const condition: Record<string, unknown> = { used: { $lt: limits.limit } };
  const inc: Record<string, number> = { used: 1 };
  if (limits.channel) {
    const field = `by.${limits.channel.name}`;
    condition.$or = [{ [field]: { $exists: false } }, { [field]: { $lt: limits.channel.limit } }];
    inc[field] = 1;
  }
  return { condition, inc };
}

/**
 * Counts one use if the limits allow it, in one conditional update: the check and the count cannot be separated,
 * so concurrent requests can never pass a limit. A missing counter is created by the same update (upsert); when the
 * limit is reached the upsert collides with the existing counter on the unique key, which means "refused".
 * With a mark, the use is recorded as counted for it (once: a counter already holding the mark is not counted again).
 */
export async function consumeUsage(
  orgId: mongoose.Types.ObjectId,
  key: string,
  limits: CounterLimits,
  endsAt: Date,
  mark?: mongoose.Types.ObjectId,
): Promise<boolean> {
  const { condition, inc } = conditionalUse(limits);
  const filter: Record<string, unknown> = { orgId, scopedKey: counterKey(orgId, key), ...condition, ...(mark ? { marks: { $ne: mark } } : {}) };
  const update: Record<string, unknown> = { $inc: inc, $setOnInsert: { key, expiresAt: endsAt }, ...(mark ? { $push: { marks: mark } } : {}) };
  try {
    await upsertRetryingOnce(() => UsageCounter.updateOne(filter, update, { upsert: true }));
    return true;
  } catch (err) {
    // Colliding again: the counter exists and its condition failed, the limit is reached.
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

type Usage = Pick<UsageCounterDoc, 'used' | 'by'>;

/** Counters are found by their unique key (one field, which every engine checks and finds through its index). */
const scopedKeys = (orgId: mongoose.Types.ObjectId, keys: string[]) => keys.map((key) => counterKey(orgId, key));

/** Keys per round of `consumeUsages`: one read, one conditional update and one insert each, whatever the audience. */
const USAGE_BATCH = 1000;

/**
 * `consumeUsage` for many keys at once, in a few round trips per thousand keys instead of one or two per key: the
 * counters that exist are raised by one conditional update of many, each carrying `mark` (the update skips a counter
 * already marked, so running it again never counts twice); the missing ones are inserted in one unordered insert.
 * A missing counter that someone else created meanwhile (a duplicate key) is counted on its own, as `consumeUsage`
 * does. Refusals are told apart by the mark, not by failed upserts: a refused counter costs nothing but being read.
 * Answers each key: null when counted, else the counter as read after the refusal (why it was refused).
 */
export async function consumeUsages(
  orgId: mongoose.Types.ObjectId,
  keys: string[],
  limits: CounterLimits,
  endsAt: Date,
  mark: mongoose.Types.ObjectId,
): Promise<Map<string, Usage | null>> {
  const outcome = new Map<string, Usage | null>();
  // In one order everywhere: concurrent audiences that overlap then take the counters' locks in the same order.
  const unique = [...new Set(keys)].sort();
  const { condition, inc } = conditionalUse(limits);
  for (let start = 0; start < unique.length; start += USAGE_BATCH) {
    const batch = unique.slice(start, start + USAGE_BATCH);
    const existing = new Set((await UsageCounter.find({ orgId, scopedKey: { $in: scopedKeys(orgId, batch) } }, { key: 1 }).lean()).map((c) => c.key));
    const present = batch.filter((key) => existing.has(key));
    const missing = batch.filter((key) => !existing.has(key));
    const alone: string[] = [];
    if (present.length) {
      await retryingTransientConflicts(() =>
        UsageCounter.updateMany(
          { orgId, scopedKey: { $in: scopedKeys(orgId, present) }, ...condition, marks: { $ne: mark } },
          { $inc: inc, $push: { marks: mark } },
        ),
      );
      const read = await UsageCounter.find({ orgId, scopedKey: { $in: scopedKeys(orgId, present) } }, { key: 1, used: 1, by: 1, marks: 1 }).lean();
      const byKey = new Map(read.map((c) => [c.key, c]));
      for (const key of present) {
        const counter = byKey.get(key);
        // Gone meanwhile (its period ended and it was purged): asked again on its own.
        if (!counter) alone.push(key);
        else if ((counter.marks ?? []).some((m) => m.equals(mark))) outcome.set(key, null);
        else outcome.set(key, { used: counter.used ?? 0, by: counter.by ?? {} });
      }
    }
    if (missing.length && !allowsUse({ used: 0, by: {} }, limits)) for (const key of missing) outcome.set(key, { used: 0, by: {} });
    else if (missing.length) {
      // Each counter's own fields are its keys; the rest is alike, validated once for the batch.
      const shared = { orgId, used: 1, by: limits.channel ? { [limits.channel.name]: 1 } : {}, marks: [mark], expiresAt: endsAt };
      const fresh = missing.map((key) => ({ key, scopedKey: counterKey(orgId, key) }));
      // Someone else's first use of the same counter (a duplicate key): that counter is counted on its own.
      const { duplicates } = await insertNewDocuments(UsageCounter, fresh, shared);
      const collided = new Set(duplicates.map((i) => missing[i]!));
      for (const key of missing) {
        if (collided.has(key)) alone.push(key);
        else outcome.set(key, null);
      }
    }
    for (const key of alone) {
      outcome.set(key, (await consumeUsage(orgId, key, limits, endsAt, mark)) ? null : await usageOf(orgId, key));
    }
  }
  return outcome;
}

/** Gives back exactly the uses counted with `mark` on these keys (a batch whose work then failed), in one update. */
export async function refundMarkedUsages(orgId: mongoose.Types.ObjectId, keys: string[], mark: mongoose.Types.ObjectId, channel?: string): Promise<void> {
  const inc: Record<string, number> = { used: -1, ...(channel ? { [`by.${channel}`]: -1 } : {}) };
  for (let start = 0; start < keys.length; start += USAGE_BATCH) {
    await retryingTransientConflicts(() =>
      UsageCounter.updateMany(
        { orgId, scopedKey: { $in: scopedKeys(orgId, keys.slice(start, start + USAGE_BATCH)) }, marks: mark },
        { $inc: inc, $pull: { marks: mark } },
      ),
    );
  }
}

/** Gives a use back when the work it was counted for failed (nothing was published, so nothing is spent). */
export async function refundUsage(orgId: mongoose.Types.ObjectId, key: string, channel?: string): Promise<void> {
  const filter: Record<string, unknown> = { orgId, scopedKey: counterKey(orgId, key), used: { $gt: 0 } };
  const inc: Record<string, number> = { used: -1 };
  if (channel) {
    // A channel count below zero would let that channel pass its own limit.
    filter[`by.${channel}`] = { $gt: 0 };
    inc[`by.${channel}`] = -1;
  }
  await UsageCounter.updateOne(filter, { $inc: inc });
}

export async function usageOf(orgId: mongoose.Types.ObjectId, key: string): Promise<Pick<UsageCounterDoc, 'used' | 'by'>> {
  const counter = await UsageCounter.findOne({ orgId, scopedKey: counterKey(orgId, key) }, { used: 1, by: 1 }).lean();
  return { used: counter?.used ?? 0, by: counter?.by ?? {} };
}

/** Many counters in one read, by key; a key never counted reads as zero. */
export async function usagesOf(orgId: mongoose.Types.ObjectId, keys: string[]): Promise<Map<string, Pick<UsageCounterDoc, 'used' | 'by'>>> {
  const found = new Map<string, Pick<UsageCounterDoc, 'used' | 'by'>>();
  for (let start = 0; start < keys.length; start += USAGE_BATCH) {
    const counters = await UsageCounter.find(
      { orgId, scopedKey: { $in: scopedKeys(orgId, keys.slice(start, start + USAGE_BATCH)) } },
      { key: 1, used: 1, by: 1 },
    ).lean();
    for (const counter of counters) found.set(counter.key, { used: counter.used ?? 0, by: counter.by ?? {} });
  }
  return new Map(keys.map((key) => [key, found.get(key) ?? { used: 0, by: {} }]));
}

export function secondsUntil(at: Date, now: Date): number {
  return Math.max(1, Math.ceil((at.getTime() - now.getTime()) / 1000));
}

/** When a period ends, as the organisation's clock shows it (for "the next one is allowed at ..."). */
export function localTimeOf(at: Date, timezone: string): string {
  return DateTime.fromJSDate(at, { zone: timezone }).toFormat('yyyy-MM-dd HH:mm');
}
