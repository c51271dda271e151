import { RateLimiterMongo, RateLimiterRes } from 'rate-limiter-flexible';
import { limitersOnConnection } from '../rate-limits.js';
import { RateLimitedError } from '../../errors.js';
import { chatLimits } from '../settings/org-settings.js';

/**
 * The public chat pages take no login, so what anyone can do anonymously is counted per IP address in MongoDB
 * (across processes): starting conversations as new visitors, and uploading pictures.
 */
const getLimiters = limitersOnConnection('chat limits', (db) => ({
  starts: new RateLimiterMongo({ storeClient: db, tableName: 'chat_public_limits', keyPrefix: 'start', points: chatLimits.visitorStartsPerHourPerIp, duration: 3600 }),
  uploads: new RateLimiterMongo({ storeClient: db, tableName: 'chat_public_limits', keyPrefix: 'upload', points: chatLimits.uploadsPerHourPerIp, duration: 3600 }),
}));

async function consume(limiter: RateLimiterMongo, ip: string): Promise<void> {
  try {
    await limiter.consume(ip);
  } catch (err) {
    if (!(err instanceof RateLimiterRes)) throw err;
    throw new RateLimitedError('Too many requests from this address; try again later.', Math.max(1, Math.ceil(err.msBeforeNext / 1000)), { messageKey: 'chat.errors.tooManyFromAddress' });
  }
}

export const countVisitorStart = (ip: string) => consume(getLimiters().starts, ip);
export const countUpload = (ip: string) => consume(getLimiters().uploads, ip);
