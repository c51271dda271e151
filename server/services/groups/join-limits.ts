import { RateLimiterMongo, RateLimiterRes } from 'rate-limiter-flexible';
import { limitersOnConnection } from '../rate-limits.js';
import { RateLimitedError } from '../../errors.js';
import { socialLimits } from '../settings/org-settings.js';

/**
 * Counts one anonymous action of an address; past the limiter's points, a RateLimitedError that says when to try
 * again (in the given message). Any public page that takes no login can count through here.
 */
export async function consumePerAddress(limiter: RateLimiterMongo, ip: string, messageKey: string): Promise<void> {
  try {
    await limiter.consume(ip);
  } catch (err) {
    if (!(err instanceof RateLimiterRes)) throw err;
    throw new RateLimitedError('Too many requests from this address; try again later.', Math.max(1, Math.ceil(err.msBeforeNext / 1000)), { messageKey });
  }
}

/** The invite pages take no login: joins are counted per IP address in MongoDB (across processes). */
const getLimiters = limitersOnConnection('group join limits', (db) => ({
  joins: new RateLimiterMongo({ storeClient: db, tableName: 'group_public_limits', keyPrefix: 'join', points: socialLimits.joinsPerHourPerIp, duration: 3600 }),
}));

export const countJoin = (ip: string) => consumePerAddress(getLimiters().joins, ip, 'groups.errors.tooManyJoins');
