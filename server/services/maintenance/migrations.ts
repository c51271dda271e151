import { MongoServerError, type AnyBulkWriteOperation, type Document, type Filter, type ObjectId } from 'mongodb';
import { mongoose } from '../../db/connect.js';
import { buildIndexes } from '../../db/indexes.js';
import { fillDefaults } from '../../db/lean-defaults.js';
import { Migration } from '../../models/migration.js';
// Every model registered, so the migrations see every collection.
import '../../models/index.js';
import { isDuplicateKey } from '../mongo-errors.js';
import { backfillCustomerNameKeys } from '../customers/name-keys.js';
import { backfillVisibleNumbers } from '../chat/messages.js';
import { counterKey, UsageCounter } from '../../models/usage-counter.js';
import { Delivery, deliveryKey } from '../../models/social-post.js';
import { ChatMessage } from '../../models/chat-session.js';
import type { Logger } from 'pino';

const BATCH = 500;

/** Any model of the app (mongoose.model(name) answers this type). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the models differ in their document types
type AnyModel = mongoose.Model<any>;

const valueAt = (doc: Record<string, unknown>, path: string): unknown =>
  path.split('.').reduce<unknown>((value, key) => (value === null || typeof value !== 'object' ? undefined : (value as Record<string, unknown>)[key]), doc);

type SchemaWithTimestamps = { $timestamps?: { createdAt?: string | null; updatedAt?: string | null } };

/**
 * Gives stored documents what a create would have given them: every path with a default that they lack, and their
 * timestamps (createdAt from the id's time, updatedAt from createdAt). Values that are there are never touched, and
 * updatedAt is not raised, so lists sorted by it keep their order. Safe to run in several processes at once: a
 * document is updated only while the paths are still missing. Answers how many documents it completed.
 */
export async function completeStoredDocuments(model: AnyModel): Promise<number> {
  const { createdAt, updatedAt } = (model.schema as unknown as SchemaWithTimestamps).$timestamps ?? {};
  const defaults = Object.entries(model.schema.paths)
    .filter(([path, type]) => path !== '_id' && (type as unknown as { defaultValue?: unknown }).defaultValue !== undefined)
    .map(([path]) => path);
  const versionKey = model.schema.get('versionKey');
  const paths = [...defaults, ...[createdAt, updatedAt, typeof versionKey === 'string' ? versionKey : null].filter((p): p is string => Boolean(p))];
  if (!paths.length) return 0;
  const missing = (doc: Record<string, unknown>) => paths.filter((path) => valueAt(doc, path) === undefined);
  const withOrg = Boolean(model.schema.path('orgId'));

  let completed = 0;
  let updates: AnyBulkWriteOperation[] = [];
  const flush = async () => {
    if (!updates.length) return;
    // Through the driver: Mongoose would raise updatedAt (repairing is not a change a person made) and strip createdAt (immutable).
    const result = await model.collection.bulkWrite(updates, { ordered: false });
    completed += result.modifiedCount;
    updates = [];
  };
  // Through the driver: lean reads fill defaults in (server/db/lean-defaults.ts), which would hide what is missing.
  const cursor = model.collection.find<Record<string, unknown>>({ $or: paths.map((path) => ({ [path]: { $exists: false } })) });
  for await (const doc of cursor) {
    const lacking = missing(doc);
    if (!lacking.length) continue;
    // The same filling as a lean read's (server/db/lean-defaults.ts), then stored; a missing version key is 0.
    const filled = fillDefaults(model, { ...doc });
    const set = Object.fromEntries(lacking.map((path) => [path, path === versionKey ? 0 : valueAt(filled, path)]));
    const filter: Filter<Document> = {
      _id: doc._id as ObjectId,
      ...(withOrg ? { orgId: doc.orgId } : {}),
      $and: lacking.map((path) => ({ [path]: { $exists: false } })),
    };
    updates.push({ updateOne: { filter, update: { $set: set } } });
    if (updates.length >= BATCH) await flush();
  }
  await flush();
  return completed;
}

/**
 * Gives stored documents a unique key that replaces a compound unique index (the key is computed from the same
 * fields, so it is as unique as they were), then drops that index. Safe to run twice and in several processes at
 * once: a document is updated only while it lacks the key, and an index someone else dropped is fine. Until the
 * index is dropped, it still refuses duplicates written by new code too (new documents carry both). Answers how many
 * documents it gave a key.
 */
export async function backfillUniqueKey(
  model: AnyModel,
  field: string,
  keyOf: (doc: Record<string, unknown>) => string,
  formerIndex: Record<string, 1>,
): Promise<number> {
  let filled = 0;
  let updates: AnyBulkWriteOperation[] = [];
  const flush = async () => {
    if (!updates.length) return;
    filled += (await model.collection.bulkWrite(updates, { ordered: false })).modifiedCount;
    updates = [];
  };
  const projection = Object.fromEntries(['orgId', ...Object.keys(formerIndex)].map((path) => [path, 1]));
  // Through the driver, as completeStoredDocuments: these are repairs, not changes a person made.
  for await (const doc of model.collection.find<Record<string, unknown>>({ [field]: { $exists: false } }, { projection })) {
    const filter: Filter<Document> = { _id: doc._id as ObjectId, orgId: doc.orgId, [field]: { $exists: false } };
    updates.push({ updateOne: { filter, update: { $set: { [field]: keyOf(doc) } } } });
    if (updates.length >= BATCH) await flush();
  }
  await flush();
  await dropFormerIndex(model, formerIndex);
  return filled;
}

/**
 * Drops an index the model no longer declares, found by its keys (in order): start-up builds the declared ones but
 * never drops, and every index left behind costs each write. Safe to run twice and in several processes at once.
 */
export async function dropFormerIndex(model: AnyModel, keys: Record<string, 1 | -1>): Promise<number> {
  const sameKeys = (key: Record<string, unknown>) => JSON.stringify(key) === JSON.stringify(keys);
  let dropped = 0;
  for (const index of await model.collection.indexes()) {
    if (!index.name || !sameKeys(index.key)) continue;
    // Retried as a build is: PostgreSQL under FerretDB can abort one of two processes changing indexes at once (a deadlock).
    await buildIndexes(async () => {
      try {
        await model.collection.dropIndex(index.name!);
        dropped += 1;
      } catch (err) {
        // Dropped by another process running the same migration (or by this one's attempt that seemed to fail).
        if (!(err instanceof MongoServerError && (err.code === INDEX_NOT_FOUND || err.codeName === 'IndexNotFound'))) throw err;
      }
    });
  }
  return dropped;
}

const INDEX_NOT_FOUND = 27;
const oid = (value: unknown) => value as mongoose.Types.ObjectId;

type MigrationSpec = { name: string; run: () => Promise<Record<string, number>> };

/**
 * The data migrations, in the order they run; a name never changes once released. Each is idempotent, so a process
 * that dies half-way or two processes starting together do no harm; a finished one is recorded and not run again.
 */
export const migrations: MigrationSpec[] = [
  {
    // Before the defaults are completed below, which would give a missing key the default '' and hide it.
    name: '2026-12-customer-name-sort-keys',
    run: async () => ({ Customer: await backfillCustomerNameKeys() }),
  },
  {
    // Lean and driver-level bulk inserts (the CSV import, follow-up tasks, chat messages, post deliveries) once stored
    // documents without defaults or timestamps; the export and the customer API crashed on them.
    name: '2026-12-complete-bulk-inserted-documents',
    run: async () => {
      const result: Record<string, number> = {};
      for (const name of mongoose.modelNames()) {
        const completed = await completeStoredDocuments(mongoose.model(name) as unknown as AnyModel);
        if (completed) result[name] = completed;
      }
      return result;
    },
  },
  {
    // Chat messages stored before the customer's own numbering (notes take no number the customer sees).
    name: '2026-12-chat-visible-numbers',
    run: async () => ({ ChatMessage: await backfillVisibleNumbers() }),
  },
  {
    // The counters' and deliveries' unique keys in one field (see counterKey and deliveryKey): their single-field
    // unique indexes are sparse, so they build at start-up before this fills them in.
    name: '2026-12-single-field-unique-keys',
    run: async () => ({
      UsageCounter: await backfillUniqueKey(UsageCounter, 'scopedKey', (doc) => counterKey(oid(doc.orgId), String(doc.key)), { orgId: 1, key: 1 }),
      Delivery: await backfillUniqueKey(Delivery, 'scopedKey', (doc) => deliveryKey(oid(doc.orgId), oid(doc.postId), oid(doc.customerId)), {
        postId: 1,
        customerId: 1,
      }),
    }),
  },
  {
    // Chat messages by visitor and time served only the customer's picture check, which the picture's own index now
    // answers (see the message model); every message insert paid for it.
    name: '2026-12-chat-messages-without-visitor-index',
    run: async () => ({ ChatMessage: await dropFormerIndex(ChatMessage, { orgId: 1, visitorId: 1, createdAt: -1 }) }),
  },
];

/** Runs the migrations not yet recorded in this database. Called at start-up and by `npm run migrate`. */
export async function runPendingMigrations(log: Logger, list: MigrationSpec[] = migrations): Promise<string[]> {
  const done = new Set((await Migration.find({ name: { $in: list.map((m) => m.name) } }, { name: 1 }).lean()).map((m) => m.name));
  const ran: string[] = [];
  for (const migration of list) {
    if (done.has(migration.name)) continue;
    log.info({ migration: migration.name }, 'running data migration');
    const result = await migration.run();
    try {
      await Migration.create({ name: migration.name, result, finishedAt: new Date() });
    } catch (err) {
      // Another process finished it at the same time.
      if (!isDuplicateKey(err)) throw err;
    }
    log.info({ migration: migration.name, result }, 'data migration finished');
    ran.push(migration.name);
  }
  return ran;
}
