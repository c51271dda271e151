// Writes that race on one record, and index builds that race across databases, succeed on every engine (FerretDB's
// PostgreSQL aborts some of them with a deadlock, which MongoDB would have retried internally).
import { describe, expect, it } from '@jest/globals';
import crypto from 'node:crypto';
import mongoose from 'mongoose';
import { useTestDatabase, testDatabaseUri } from '../setup/db.js';
import { mongoose as appMongoose } from '../../server/db/connect.js';
import { buildIndexes } from '../../server/db/indexes.js';
import { DatabaseLimiter } from '../../server/services/rate-limits.js';

useTestDatabase();

describe('racing writes and index builds', () => {
  it('counts every one of many simultaneous hits on a new limiter key, refusing none for a write conflict', async () => {
    const tableName = `race_limits_${crypto.randomBytes(3).toString('hex')}`;
    const limiter = new DatabaseLimiter({ storeClient: appMongoose.connection.db!, tableName, points: 1000, duration: 60 });
    const key = `k-${crypto.randomBytes(4).toString('hex')}`;
    const hits = 40;
    const results = await Promise.allSettled(Array.from({ length: hits }, () => limiter.consume(key)));
    expect(
      results
        .filter((r) => r.status === 'rejected')
        .map((r) => {
          const e = (r as PromiseRejectedResult).reason;
          return `${e.code} ${e.codeName} ${String(e)}`;
        }),
    ).toEqual([]);
    expect((await limiter.get(key))?.consumedPoints).toBe(hits);
    // Its indexes were built before the first count: the expiry (TTL) and the unique key.
    const indexes = await appMongoose.connection.db!.collection(tableName).indexes();
    expect(indexes.find((i) => i.key.expire === -1)?.expireAfterSeconds).toBe(0);
    expect(indexes.find((i) => i.key.key === 1)?.unique).toBe(true);
  });

  it('starts a new count over one that expired but is not yet removed', async () => {
    const tableName = `expired_limits_${crypto.randomBytes(3).toString('hex')}`;
    const limiter = new DatabaseLimiter({ storeClient: appMongoose.connection.db!, tableName, points: 5, duration: 60 });
    await limiter.consume('warm-up'); // the indexes exist before the stale count is planted
    await appMongoose.connection.db!.collection(tableName).insertOne({ key: limiter.getKey('k'), points: 5, expire: new Date(Date.now() - 1000) });
    const res = await limiter.consume('k');
    expect(res.consumedPoints).toBe(1);
    expect(res.msBeforeNext).toBeGreaterThan(50_000);
  });

  it('builds the same indexes in several databases at once, as processes starting together do', async () => {
    const connections = await Promise.all(Array.from({ length: 6 }, () => mongoose.createConnection(testDatabaseUri()).asPromise()));
    try {
      await Promise.all(
        connections.map((conn) =>
          buildIndexes(async () => {
            const c = conn.db!.collection('racing');
            await c.createIndex({ a: 1, b: 1 }, { unique: true });
            await c.createIndex({ at: 1 }, { expireAfterSeconds: 60 });
          }),
        ),
      );
      for (const conn of connections) expect((await conn.db!.collection('racing').indexes()).length).toBe(3);
    } finally {
      await Promise.all(
        connections.map(async (conn) => {
          await conn.dropDatabase().catch(() => undefined);
          await conn.close();
        }),
      );
    }
  });
});
