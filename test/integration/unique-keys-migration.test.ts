import { describe, expect, it } from '@jest/globals';
import { useTestDatabase } from '../setup/db.js';
import { createCustomer, createOrgWithTeam } from '../factories.js';
import { counterKey, UsageCounter } from '../../server/models/usage-counter.js';
import { Delivery, deliveryKey } from '../../server/models/social-post.js';
import { Migration } from '../../server/models/migration.js';
import { migrations, runPendingMigrations } from '../../server/services/maintenance/migrations.js';
import { consumeUsage, consumeUsages, usageOf } from '../../server/services/limits/usage.js';
import { buildIndexes } from '../../server/db/indexes.js';
import { logger } from '../../server/logger.js';
import { mongoose } from '../../server/db/connect.js';

useTestDatabase();

const MIGRATION = '2026-12-single-field-unique-keys';
const keysOf = async (model: typeof UsageCounter | typeof Delivery) => (await model.collection.indexes()).map((index) => JSON.stringify(index.key));

/** The collections as a release before the single-field keys left them: compound unique indexes, documents without the key. */
async function databaseFromBefore() {
  const { org, clerk } = await createOrgWithTeam();
  const customers = await Promise.all([1, 2, 3].map(() => createCustomer(org._id, { ownerId: clerk._id })));
  await UsageCounter.collection.drop().catch(() => undefined);
  await Delivery.collection.drop().catch(() => undefined);
  await UsageCounter.collection.createIndex({ orgId: 1, key: 1 }, { unique: true });
  await UsageCounter.collection.createIndex({ expiresAt: 1 });
  await Delivery.collection.createIndex({ postId: 1, customerId: 1 }, { unique: true });
  const expiresAt = new Date(Date.now() + 86_400_000);
  const keys = customers.map((customer) => `touch:${String(customer._id)}:2026-12-07`);
  await UsageCounter.collection.insertMany(keys.map((key, i) => ({ orgId: org._id, key, used: i + 1, by: { moment: i + 1 }, expiresAt })));
  const postId = new mongoose.Types.ObjectId();
  await Delivery.collection.insertMany(
    customers.map((customer) => ({
      orgId: org._id,
      postId,
      customerId: customer._id,
      kind: 'moment',
      groupId: null,
      shown: true,
      heldReason: null,
      liked: false,
      likedOnce: false,
      at: new Date(),
    })),
  );
  return { org, customers, keys, postId, expiresAt };
}

describe('single-field unique keys for usage counters and deliveries', () => {
  it('a database from before starts (indexes, then the migration), the keys are filled in, the compound unique indexes go, limits stay exact', async () => {
    const { org, customers, keys, postId, expiresAt } = await databaseFromBefore();

    // What start-up does first (db/connect.ts): every model's indexes, over documents that lack the new key.
    await buildIndexes(() => UsageCounter.createIndexes());
    await buildIndexes(() => Delivery.createIndexes());

    // Then the migrations; twice at once (two processes starting together), then once more: each is harmless.
    await Migration.deleteMany({ name: MIGRATION });
    const migration = migrations.find((m) => m.name === MIGRATION)!;
    const [first, second] = await Promise.all([migration.run(), migration.run()]);
    expect(first.UsageCounter! + second.UsageCounter!).toBe(3);
    expect(first.Delivery! + second.Delivery!).toBe(3);
    expect(await migration.run()).toEqual({ UsageCounter: 0, Delivery: 0 });
    expect(await runPendingMigrations(logger)).toContain(MIGRATION);
    expect(await runPendingMigrations(logger)).toEqual([]);

    const counters = await UsageCounter.find({ orgId: org._id }).lean();
    expect(counters.map((c) => c.scopedKey).sort()).toEqual(keys.map((key) => counterKey(org._id, key)).sort());
    const deliveries = await Delivery.find({ orgId: org._id }).lean();
    expect(deliveries.map((d) => d.scopedKey).sort()).toEqual(customers.map((c) => deliveryKey(org._id, postId, c._id)).sort());
    expect(await keysOf(UsageCounter)).not.toContain(JSON.stringify({ orgId: 1, key: 1 }));
    expect(await keysOf(Delivery)).not.toContain(JSON.stringify({ postId: 1, customerId: 1 }));
    expect(await keysOf(UsageCounter)).toContain(JSON.stringify({ scopedKey: 1 }));

    // The stored counters are the ones counted: no second counter for the same key, and the limit holds.
    const limits = { limit: 2 };
    expect(await consumeUsage(org._id, keys[0]!, limits, expiresAt)).toBe(true);
    expect(await consumeUsage(org._id, keys[0]!, limits, expiresAt)).toBe(false);
    const mark = new mongoose.Types.ObjectId();
    const batch = await consumeUsages(org._id, keys, { limit: 3 }, expiresAt, mark);
    expect(keys.map((key) => batch.get(key) === null)).toEqual([true, true, false]);
    expect(await Promise.all(keys.map(async (key) => (await usageOf(org._id, key)).used))).toEqual([3, 3, 3]);
    expect(await UsageCounter.countDocuments({ orgId: org._id })).toBe(3);

    // The new keys refuse what the former indexes refused.
    const again = await UsageCounter.collection
      .insertOne({ orgId: org._id, key: keys[1]!, scopedKey: counterKey(org._id, keys[1]!), used: 0, expiresAt })
      .catch((err: { code?: number }) => err);
    expect((again as { code?: number }).code).toBe(11000);
    const twice = await Delivery.collection
      .insertOne({
        orgId: org._id,
        postId,
        customerId: customers[0]!._id,
        scopedKey: deliveryKey(org._id, postId, customers[0]!._id),
        kind: 'moment',
        shown: true,
        at: new Date(),
      })
      .catch((err: { code?: number }) => err);
    expect((twice as { code?: number }).code).toBe(11000);
  });
});
