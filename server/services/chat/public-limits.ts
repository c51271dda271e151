import { RateLimiterRes } from 'rate-limiter-flexible';
import { consumePerAddress, DatabaseLimiter, limitersOnConnection } from '../rate-limits.js';
import { RateLimitedError } from '../../errors.js';
import { chatLimits, VISITOR_STARTS_PER_HOUR_MAX } from '../../domain/settings.js';

/**
 * The public chat pages take no login, so what anyone can do anonymously is counted in MongoDB (across processes):
 * starting conversations as new visitors (per address and per device, against the organisation's setting), and
 * uploading pictures (per address).
 */
const getLimiters = limitersOnConnection('chat limits', (db) => ({
  // Counted up to the setting's upper bound; each organisation's own limit is compared with the count.
  starts: new DatabaseLimiter({ storeClient: db, tableName: 'chat_public_limits', keyPrefix: 'start', points: VISITOR_STARTS_PER_HOUR_MAX, duration: 3600 }),
  uploads: new DatabaseLimiter({
    storeClient: db,
    tableName: 'chat_public_limits',
    keyPrefix: 'upload',
    points: chatLimits.uploadsPerHourPerIp,
    duration: 3600,
  }),
}));

/** One start of an organisation's chat from this address and this device, refused past `perHour` for either. */
export async function countVisitorStart(orgId: string, from: { address: string; deviceId: string }, perHour: number): Promise<void> {
  const counted = await Promise.all(
    [`${orgId}:address:${from.address}`, `${orgId}:device:${from.deviceId}`].map((key) =>
      getLimiters()
        .starts.consume(key)
        .catch((err: unknown) => {
          if (err instanceof RateLimiterRes) return err;
          throw err;
        }),
    ),
  );
  const over = counted.filter((res) => res.consumedPoints > perHour);
  if (over.length) {
    const wait = Math.max(...over.map((res) => res.msBeforeNext));
    throw new RateLimitedError('Too many chats started from this address or device; try again later.', Math.max(1, Math.ceil(wait / 1000)), {
      messageKey: 'chat.errors.tooManyStarts',
    });
  }
}

export const countUpload = (ip: string) => consumePerAddress(getLimiters().uploads, ip, 'chat.errors.tooManyFromAddress');
