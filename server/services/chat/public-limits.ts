import { RateLimiterMongo, RateLimiterRes } from 'rate-limiter-flexible';
import { mongoose } from '../../db/connect.js';
import { RateLimitedError } from '../../errors.js';
import { chatLimits } from '../settings/org-settings.js';

/**
 * The public chat pages take no login, so what anyone can do anonymously is counted per IP address in MongoDB
 * (across processes): starting conversations as new visitors, and uploading pictures.
 */
type Limiters = { starts: RateLimiterMongo; uploads: RateLimiterMongo; db: unknown };
let limiters: Limiters | undefined;

function getLimiters(): Limiters {
  const db = mongoose.connection.db;
  if (!db) throw new Error('chat limits need a database connection');
  if (limiters?.db !== db) {
    limiters = {
      db,
      starts: new RateLimiterMongo({ storeClient: db, tableName: 'chat_public_limits', keyPrefix: 'start', points: chatLimits.visitorStartsPerHourPerIp, duration: 3600 }),
      uploads: new RateLimiterMongo({ storeClient: db, tableName: 'chat_public_limits', keyPrefix: 'upload', points: chatLimits.uploadsPerHourPerIp, duration: 3600 }),
    };
  }
  return limiters;
}

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
