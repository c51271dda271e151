import type { HoldReason } from '../../models/social-post.js';
import type { OrgSettings } from '../../domain/settings.js';
import type { UsageCounterDoc } from '../../models/usage-counter.js';
import { allowsUse, consumeUsage, dayPeriod, refundUsage, usageOf, usagesOf, type CounterLimits } from './usage.js';
import { clock } from '../../clock.js';
import type { mongoose } from '../../db/connect.js';

/**
 * The one place that answers "may this customer be touched now, through this channel": every channel that reaches
 * a customer on the brand's initiative asks here, so the daily contact budget (DOMAIN: 3 touches per customer per
 * day across channels, or off) and each channel's own per-customer cap live in one rule.
 */
export const touchChannels = ['moment', 'group_post'] as const;
export type TouchChannel = (typeof touchChannels)[number];

type Limits = Pick<OrgSettings, 'timezone' | 'contactBudgetPerDay' | 'momentsPerCustomerPerDay'>;

/**
 * Channels a customer chose to be in (a group's posts): shown to every member whatever the day's touches, and still
 * counted as a touch, so they hold back what comes after them on the gated channels, never themselves.
 */
const sharedSpaces: ReadonlySet<TouchChannel> = new Set(['group_post']);

/** A channel's own cap per customer and day, where the platform sets one. */
function channelCap(channel: TouchChannel, settings: Limits): number | undefined {
  return channel === 'moment' ? settings.momentsPerCustomerPerDay : undefined;
}

const UNLIMITED = Number.MAX_SAFE_INTEGER;

const keyOf = (customerId: mongoose.Types.ObjectId, day: string) => `touch:${String(customerId)}:${day}`;

/** Either limit, whichever is binding; a budget of 0 is off; a shared space is counted but never limited. */
function limitsFor(channel: TouchChannel, settings: Limits): CounterLimits & { channel: { name: string; limit: number } } {
  if (sharedSpaces.has(channel)) return { limit: UNLIMITED, channel: { name: channel, limit: UNLIMITED } };
  const cap = channelCap(channel, settings);
  const budget = settings.contactBudgetPerDay > 0 ? settings.contactBudgetPerDay : UNLIMITED;
  // The channel's count is kept even without a cap of its own, so statistics by channel stay possible.
  return { limit: budget, channel: { name: channel, limit: cap ?? UNLIMITED } };
}

/** Why a touch is refused, given the customer's counter: the channel's own cap when it is the one reached, else the budget. */
function reasonFor(usage: Pick<UsageCounterDoc, 'used' | 'by'>, channel: TouchChannel, settings: Limits): HoldReason {
  const cap = channelCap(channel, settings);
  if (cap === undefined) return 'contact_budget';
  return (usage.by?.[channel] ?? 0) >= cap ? 'customer_cap' : 'contact_budget';
}

/** Customers a post would reach, and those it would hold back, by reason. */
export type Reach = { audience: number; reached: number; heldBack: number; heldBackBy: Record<HoldReason, number> };

export function reachOf(decisions: Iterable<HoldReason | null>): Reach {
  const reach: Reach = { audience: 0, reached: 0, heldBack: 0, heldBackBy: { customer_cap: 0, contact_budget: 0 } };
  for (const held of decisions) {
    reach.audience += 1;
    if (held === null) reach.reached += 1;
    else {
      reach.heldBack += 1;
      reach.heldBackBy[held] += 1;
    }
  }
  return reach;
}

/**
 * The same question as `touchCustomers`, answered without touching anyone: what a post through this channel would
 * do to these customers if it went now. Others may touch them before the post goes; only `touchCustomers` decides.
 */
export async function previewTouches(
  orgId: mongoose.Types.ObjectId,
  customerIds: mongoose.Types.ObjectId[],
  channel: TouchChannel,
  settings: Limits,
): Promise<Reach> {
  const day = dayPeriod(clock.now(), settings.timezone);
  const limits = limitsFor(channel, settings);
  const unique = [...new Map(customerIds.map((id) => [String(id), id])).values()];
  const usages = await usagesOf(
    orgId,
    unique.map((customerId) => keyOf(customerId, day.key)),
  );
  return reachOf(
    unique.map((customerId) => {
      const usage = usages.get(keyOf(customerId, day.key))!;
      return allowsUse(usage, limits) ? null : reasonFor(usage, channel, settings);
    }),
  );
}

/**
 * Touches each customer through the channel if both limits allow, counting it in the same atomic update;
 * answers, per customer, null (touched) or why the customer was spared.
 */
export async function touchCustomers(
  orgId: mongoose.Types.ObjectId,
  customerIds: mongoose.Types.ObjectId[],
  channel: TouchChannel,
  settings: Limits,
): Promise<Map<string, HoldReason | null>> {
  const now = clock.now();
  const day = dayPeriod(now, settings.timezone);
  const limits = limitsFor(channel, settings);
  const outcome = new Map<string, HoldReason | null>();
  // A few at a time: a large audience neither floods the database nor waits on one round trip per customer.
  const batchSize = 16;
  try {
    for (let start = 0; start < customerIds.length; start += batchSize) {
      // Settled, not all: a failure must not leave others of the batch still counting after the refund below.
      const results = await Promise.allSettled(
        customerIds.slice(start, start + batchSize).map(async (customerId) => {
          const key = keyOf(customerId, day.key);
          if (await consumeUsage(orgId, key, limits, day.endsAt)) return outcome.set(String(customerId), null);
          outcome.set(String(customerId), await reasonOf(orgId, key, channel, settings));
        }),
      );
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
  } catch (err) {
    // Half-way through: the touches already counted are given back, so the caller can treat the whole as not done.
    const touched = customerIds.filter((customerId) => outcome.get(String(customerId)) === null);
    await refundTouches(orgId, touched, channel, settings).catch(() => undefined);
    throw err;
  }
  return outcome;
}

async function reasonOf(orgId: mongoose.Types.ObjectId, key: string, channel: TouchChannel, settings: Limits): Promise<HoldReason> {
  return reasonFor(await usageOf(orgId, key), channel, settings);
}

/** Gives back touches counted for work that then failed (a post that could not be stored): the customers were never reached. */
export async function refundTouches(
  orgId: mongoose.Types.ObjectId,
  customerIds: mongoose.Types.ObjectId[],
  channel: TouchChannel,
  settings: Pick<Limits, 'timezone'>,
): Promise<void> {
  const day = dayPeriod(clock.now(), settings.timezone);
  for (const customerId of customerIds) await refundUsage(orgId, keyOf(customerId, day.key), channel);
}

/** A read-only answer, for pages that explain what a customer may still receive today; null when nothing limits it. */
export async function touchesLeftToday(
  orgId: mongoose.Types.ObjectId,
  customerId: mongoose.Types.ObjectId,
  channel: TouchChannel,
  settings: Limits,
): Promise<number | null> {
  const day = dayPeriod(clock.now(), settings.timezone);
  const usage = await usageOf(orgId, keyOf(customerId, day.key));
  const limits = limitsFor(channel, settings);
  if (sharedSpaces.has(channel) || (settings.contactBudgetPerDay === 0 && channelCap(channel, settings) === undefined)) return null;
  return Math.max(0, Math.min(limits.limit - usage.used, limits.channel.limit - (usage.by?.[channel] ?? 0)));
}
