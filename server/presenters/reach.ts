import { DateTime } from 'luxon';
import type { HoldReason } from '../models/social-post.js';

type Translate = (key: string, params?: Record<string, unknown>) => string;

/** Customers a post would reach (or did), and those it held back, by reason: the contact budget's figures. */
type Reach = { audience: number; reached: number; heldBack: number; heldBackBy: Record<HoldReason, number> };

/**
 * How a post's reach is said: before posting (`preview`), as of now for a campaign that goes out later (`asOf`),
 * or after posting (`outcome`, what actually happened). Every composer and confirmation says it the same way.
 */
export type ReachMode = 'preview' | 'asOf' | 'outcome';

export function reachSentence(t: Translate, reach: Reach, mode: ReachMode, opts: { asOf?: Date; timezone?: string } = {}): string {
  const reasons = (['customer_cap', 'contact_budget'] as const)
    .filter((reason) => reach.heldBackBy[reason] > 0)
    .map((reason) => t(`reach.reasons.${reason}`, { count: reach.heldBackBy[reason] }));
  const why = reasons.length ? t('reach.why', { reasons: reasons.join(t('reach.separator')) }) : '';
  const asOf = opts.asOf ? DateTime.fromJSDate(opts.asOf, { zone: opts.timezone ?? 'Asia/Shanghai' }).toFormat('yyyy-MM-dd HH:mm') : '';
  return t(`reach.${mode}`, { reached: reach.reached, heldBack: reach.heldBack, why, asOf });
}

/** The figures and the sentence, for the API and the page scripts that refresh a composer's preview. */
export function presentReach(t: Translate, reach: Reach, mode: ReachMode, opts: { asOf?: Date; timezone?: string } = {}) {
  return {
    audience: reach.audience,
    reached: reach.reached,
    heldBack: reach.heldBack,
    heldBackBy: { ...reach.heldBackBy },
    ...(opts.asOf ? { asOf: opts.asOf.toISOString() } : {}),
    sentence: reachSentence(t, reach, mode, opts),
  };
}
