import { DateTime } from 'luxon';
import { UsageCounter, type UsageCounterDoc } from '../../models/usage-counter.js';
import { isDuplicateKey, upsertRetryingOnce } from '../mongo-errors.js';
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

/**
 * Counts one use if the limits allow it, in one conditional update: the check and the count cannot be separated,
 * so concurrent requests can never pass a limit. A missing counter is created by the same update (upsert); when the
 * limit is reached the upsert collides with the existing counter on the unique key, which means "refused".
 */
export async function consumeUsage(orgId: mongoose.Types.ObjectId, key: string, limits: CounterLimits, endsAt: Date): Promise<boolean> {
  const filter: Record<string, unknown> = { orgId, key, used: { $lt: limits.limit } };
  const inc: Record<string, number> = { used: 1 };
  if (limits.channel) {
    const field = `by.${limits.channel.name}`;
    filter.$or = [{ [field]: { $exists: false } }, { [field]: { $lt: limits.channel.limit } }];
    inc[field] = 1;
  }
  try {
    await upsertRetryingOnce(() => UsageCounter.updateOne(filter, { $inc: inc, $setOnInsert: { expiresAt: endsAt } }, { upsert: true }));
    return true;
  } catch (err) {
    // Colliding again: the counter exists and its condition failed, the limit is reached.
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/** Gives a use back when the work it was counted for failed (nothing was published, so nothing is spent). */
export async function refundUsage(orgId: mongoose.Types.ObjectId, key: string, channel?: string): Promise<void> {
  const filter: Record<string, unknown> = { orgId, key, used: { $gt: 0 } };
  const inc: Record<string, number> = { used: -1 };
  if (channel) {
    // A channel count below zero would let that channel pass its own limit.
    filter[`by.${channel}`] = { $gt: 0 };
    inc[`by.${channel}`] = -1;
  }
  await UsageCounter.updateOne(filter, { $inc: inc });
}

export async function usageOf(orgId: mongoose.Types.ObjectId, key: string): Promise<Pick<UsageCounterDoc, 'used' | 'by'>> {
  const counter = await UsageCounter.findOne({ orgId, key }, { used: 1, by: 1 }).lean();
  return { used: counter?.used ?? 0, by: counter?.by ?? {} };
}

/** Many counters in one read, by key; a key never counted reads as zero. */
export async function usagesOf(orgId: mongoose.Types.ObjectId, keys: string[]): Promise<Map<string, Pick<UsageCounterDoc, 'used' | 'by'>>> {
  const found = new Map<string, Pick<UsageCounterDoc, 'used' | 'by'>>();
  const batch = 1000;
  for (let start = 0; start < keys.length; start += batch) {
    const counters = await UsageCounter.find({ orgId, key: { $in: keys.slice(start, start + batch) } }, { key: 1, used: 1, by: 1 }).lean();
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
