import type { Db } from 'mongodb';
import { RateLimiterRes, type RateLimiterMongo } from 'rate-limiter-flexible';
import { RateLimitedError } from '../errors.js';
import { mongoose } from '../db/connect.js';

/**
 * Limiters counted in MongoDB (so a limit holds across processes and restarts), built once per database
 * connection: tests and scripts that reconnect get limiters on the new connection.
 */
export function limitersOnConnection<T>(purpose: string, build: (db: Db) => T): () => T {
  let cached: { db: Db; limiters: T } | undefined;
  return () => {
    const db = mongoose.connection.db;
    if (!db) throw new Error(`${purpose} needs a database connection`);
    if (cached?.db !== db) cached = { db, limiters: build(db) };
    return cached.limiters;
  };
}

/**
 * Counts one anonymous action of an address (public pages take no login); past the limiter's points, a
 * RateLimitedError that says when to try again, in the page's own words (messageKey).
 */
export async function consumePerAddress(limiter: RateLimiterMongo, ip: string, messageKey: string): Promise<void> {
  try {
    await limiter.consume(ip);
  } catch (err) {
    if (!(err instanceof RateLimiterRes)) throw err;
    throw new RateLimitedError('Too many requests from this address; try again later.', Math.max(1, Math.ceil(err.msBeforeNext / 1000)), { messageKey });
  }
}
