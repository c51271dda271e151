import { RateLimiterRes } from 'rate-limiter-flexible';
import { RateLimitedError } from '../../errors.js';
import { DatabaseLimiter, limitersOnConnection } from '../rate-limits.js';
import { customerSearchLimits } from '../../domain/settings.js';
import type { ServiceContext } from '../context.js';

const getLimiters = limitersOnConnection('customer search limits', (db) => ({
  wholeNumber: new DatabaseLimiter({
    storeClient: db,
    tableName: 'staff_limits',
    keyPrefix: 'number-search',
    points: customerSearchLimits.wholeNumberSearchesPerHour,
    duration: 3600,
  }),
}));

/** Counts one look-up by a whole number for the staff member (across processes); past the limit, 429 with when to try again. */
export async function countWholeNumberSearch(ctx: ServiceContext): Promise<void> {
  try {
    await getLimiters().wholeNumber.consume(`${ctx.orgId}:${ctx.actor.id}`);
  } catch (err) {
    if (!(err instanceof RateLimiterRes)) throw err;
    throw new RateLimitedError('Too many searches by whole number; try again later.', Math.max(1, Math.ceil(err.msBeforeNext / 1000)), {
      code: 'number_search_limit',
      messageKey: 'errors.number_search_limit',
      params: { limit: customerSearchLimits.wholeNumberSearchesPerHour },
    });
  }
}
