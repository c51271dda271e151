import { mongoose } from '../../db/connect.js';
import { sweepUnusedMedia } from '../posts/sweep-media.js';

/**
 * Removes expired browser sessions, login-throttle counters, the public chat pages' per-address counters and usage counters of past periods, and pictures uploaded but never shown. A TTL index would do this on MongoDB alone,
 * but a scheduled purge also works where TTL expiry is missing and keeps the collections small either way.
 */
export async function purgeExpired(now: Date = new Date()): Promise<{ sessions: number; loginFailures: number; unusedPictures: number }> {
  const db = mongoose.connection.db;
  if (!db) throw new Error('purgeExpired needs a database connection');
  const [sessions, loginFailures] = await Promise.all([
    db.collection('sessions').deleteMany({ expires: { $lt: now } }),
    db.collection('login_failures').deleteMany({ expire: { $lt: now } }),
    db.collection('chat_public_limits').deleteMany({ expire: { $lt: now } }),
    db.collection('group_public_limits').deleteMany({ expire: { $lt: now } }),
    db.collection('member_public_limits').deleteMany({ expire: { $lt: now } }),
    db.collection('staff_limits').deleteMany({ expire: { $lt: now } }),
    // Usage counters of periods that ended (quotas, caps, contact budgets) are never read again.
    db.collection('usagecounters').deleteMany({ expiresAt: { $lt: now } }),
  ]);
  const unusedPictures = await sweepUnusedMedia(now);
  return { sessions: sessions.deletedCount, loginFailures: loginFailures.deletedCount, unusedPictures };
}
