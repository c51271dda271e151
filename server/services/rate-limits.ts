import type { Collection, Db } from 'mongodb';
import { RateLimiterMongo, RateLimiterRes, type IRateLimiterMongoOptions } from 'rate-limiter-flexible';
import { RateLimitedError } from '../errors.js';
import { mongoose } from '../db/connect.js';
import { buildIndexes } from '../db/indexes.js';
import { retryingTransientConflicts } from './mongo-errors.js';
import { isTransientWriteConflict } from '../db/write-conflicts.js';

/**
 * A limiter counted in a collection of the database. Its indexes (expiry, unique key) are built before its first
 * count, again after a refused build; a count the database undid for a transient write conflict is made again (the
 * library gives up on it, and the request would fail for nothing).
 */
export class DatabaseLimiter extends RateLimiterMongo {
  private indexes: Promise<void> | undefined;

  constructor(opts: Omit<IRateLimiterMongoOptions, 'disableIndexesCreation' | 'mongo'> & { storeClient: Db }) {
    super({ ...opts, disableIndexesCreation: true });
  }

  private ensureIndexes(): Promise<void> {
    this.indexes ??= buildIndexes(() => this.createIndexes()).catch((err: unknown) => {
      this.indexes = undefined; // the next count tries again
      throw err;
    });
    return this.indexes;
  }

  // The library's one write path (consume, penalty, reward, block all go through it).
  async _upsert(...args: unknown[]): Promise<unknown> {
    await this.ensureIndexes();
    const upsert = (RateLimiterMongo.prototype as unknown as { _upsert: (...a: unknown[]) => Promise<unknown> })._upsert;
    return retryingTransientConflicts(() =>
      upsert.apply(this, args).catch(async (err: unknown) => {
        // A count that expired but is not yet removed by the expiry index blocks a new one on engines that do not
        // report the collision as a duplicate key (the library replaces it only then); it counts nothing any more.
        if (isTransientWriteConflict(err)) await this.collection().deleteOne({ key: args[0], expire: { $lte: new Date() } });
        throw err;
      }),
    );
  }

  private collection() {
    return (this as unknown as { _collection: Collection })._collection;
  }
}

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
export async function consumePerAddress(limiter: DatabaseLimiter, ip: string, messageKey: string): Promise<void> {
  try {
    await limiter.consume(ip);
  } catch (err) {
    if (!(err instanceof RateLimiterRes)) throw err;
    throw new RateLimitedError('Too many requests from this address; try again later.', Math.max(1, Math.ceil(err.msBeforeNext / 1000)), { messageKey });
  }
}
