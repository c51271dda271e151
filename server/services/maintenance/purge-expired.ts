import { mongoose } from '../../db/connect.js';

/**
 * Removes expired browser sessions, login-throttle counters, the public chat pages' per-address counters and usage counters of past periods. A TTL index would do this on MongoDB alone,
 * but a scheduled purge also works where TTL expiry is missing and keeps the collections small either way.
 */
export async function purgeExpired(now: Date = new Date()): Promise<{ sessions: number; loginFailures: number }> {
  const db = mongoose.connection.db;
  if (!db) throw new Error('purgeExpired needs a database connection');
  const [sessions, loginFailures] = await Promise.all([
    db.collection('sessions').deleteMany({ expires: { $lt: now } }),
    db.collection('login_failures').deleteMany({ expire: { $lt: now } }),
    db.collection('chat_public_limits').deleteMany({ expire: { $lt: now } }),
    db.collection('group_public_limits').deleteMany({ expire: { $lt: now } }),
    db.collection('member_public_limits').deleteMany({ expire: { $lt: now } }),
    // Usage counters of periods that ended (quotas, caps, contact budgets) are never read again.
    db.collection('usagecounters').deleteMany({ expiresAt: { $lt: now } }),
  ]);
  return { sessions: sessions.deletedCount, loginFailures: loginFailures.deletedCount };
}
