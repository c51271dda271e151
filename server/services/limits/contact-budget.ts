import type { HoldReason } from '../../models/social-post.js';
import type { OrgSettings } from '../../domain/settings.js';
import type { UsageCounterDoc } from '../../models/usage-counter.js';
import { allowsUse, consumeUsages, dayPeriod, refundMarkedUsages, usageOf, usagesOf, type CounterLimits } from './usage.js';
import { clock } from '../../clock.js';
import { mongoose } from '../../db/connect.js';

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
 * answers, per customer, null (touched) or why the customer was spared. The whole audience is decided in batches
 * (a few round trips per thousand customers); each touch is counted with `mark` (what it was counted for: the post),
 * so `refundTouches` with the same mark gives back exactly these touches.
 */
export async function touchCustomers(
  orgId: mongoose.Types.ObjectId,
  customerIds: mongoose.Types.ObjectId[],
  channel: TouchChannel,
  settings: Limits,
  opts: { mark?: mongoose.Types.ObjectId; at?: Date } = {},
): Promise<Map<string, HoldReason | null>> {
  // A delivery continued later counts in the day it was published (`at`), where its refund will look for it.
  const day = dayPeriod(opts.at ?? clock.now(), settings.timezone);
  const mark = opts.mark ?? new mongoose.Types.ObjectId();
  const keys = customerIds.map((customerId) => keyOf(customerId, day.key));
  let counted: Map<string, Pick<UsageCounterDoc, 'used' | 'by'> | null>;
  try {
    counted = await consumeUsages(orgId, keys, limitsFor(channel, settings), day.endsAt, mark);
  } catch (err) {
    // Half-way through: the touches already counted are given back, so the caller can treat the whole as not done.
    await refundTouches(orgId, customerIds, channel, settings, mark, opts.at).catch(() => undefined);
    throw err;
  }
  const outcome = new Map<string, HoldReason | null>();
  for (const [i, customerId] of customerIds.entries()) {
    const refused = counted.get(keys[i]!);
    outcome.set(String(customerId), refused ? reasonFor(refused, channel, settings) : null);
  }
  return outcome;
}

/**
 * Gives back the touches counted with `mark` (for work that then failed: a post that could not be stored): the
 * customers were never reached. Only what that mark counted is given back, however often this runs.
 */
export async function refundTouches(
  orgId: mongoose.Types.ObjectId,
  customerIds: mongoose.Types.ObjectId[],
  channel: TouchChannel,
  settings: Pick<Limits, 'timezone'>,
  mark: mongoose.Types.ObjectId,
  at: Date = clock.now(),
): Promise<void> {
  const day = dayPeriod(at, settings.timezone);
  await refundMarkedUsages(orgId, [...new Set(customerIds.map((customerId) => keyOf(customerId, day.key)))], mark, channel);
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
