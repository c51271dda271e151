import { MongoBulkWriteError } from 'mongodb';
import mongoose, { type Model } from 'mongoose';
import { isTransientWriteConflict, TRANSIENT_ATTEMPTS } from './write-conflicts.js';

/** Why one document of a bulk insert was refused: the database's code (a duplicate key is 11000), or `invalid` with the paths the schema refused. */
export type RefusedInsert = { code: number | 'invalid' | undefined; message: string; invalidPaths?: string[] };

/**
 * The document `Model.create` would store (cast, defaults, validated, timestamps, version key), built without a
 * round trip. Bulk writers insert through the driver for speed; they store no less than a normal create does, so
 * every reader and presenter meets the same document whichever path wrote it. Throws Mongoose's ValidationError.
 */
export async function completeDocument<T>(model: Model<T>, fields: object): Promise<Record<string, unknown>> {
  const doc = new model(fields);
  await doc.validate();
  const versionKey = model.schema.get('versionKey');
  if (typeof versionKey === 'string') doc.set(versionKey, 0);
  // Only schemas with timestamps have the method; a given createdAt is kept, as Mongoose's own insertMany keeps it.
  (doc as { initializeTimestamps?: () => unknown }).initializeTimestamps?.();
  return doc.toObject({ depopulate: true, virtuals: false, getters: false, transform: false, versionKey: true }) as Record<string, unknown>;
}

/**
 * Inserts complete documents unordered, each succeeding or failing on its own under the collection's unique indexes.
 * Answers the refused ones by their index in `docs`; a failure of the whole batch (network, server) throws, since
 * nothing can be said of any document then.
 */
export async function insertDocuments<T>(model: Model<T>, docs: object[]): Promise<Map<number, RefusedInsert>> {
  const refused = new Map<number, RefusedInsert>();
  const complete: Record<string, unknown>[] = [];
  const positions: number[] = [];
  for (const [index, fields] of docs.entries()) {
    try {
      complete.push(await completeDocument(model, fields));
      positions.push(index);
    } catch (err) {
      if (!(err instanceof mongoose.Error.ValidationError)) throw err;
      refused.set(index, { code: 'invalid', message: err.message, invalidPaths: Object.keys(err.errors) });
    }
  }
  if (!complete.length) return refused;
  try {
    await model.collection.insertMany(complete, { ordered: false });
  } catch (err) {
    if (!(err instanceof MongoBulkWriteError)) throw err;
    const writeErrors = Array.isArray(err.writeErrors) ? err.writeErrors : err.writeErrors ? [err.writeErrors] : [];
    if (!writeErrors.length) throw err;
    for (const writeError of writeErrors)
      refused.set(positions[writeError.index]!, {
        code: typeof writeError.code === 'number' ? writeError.code : undefined,
        message: writeError.errmsg ?? 'write error',
      });
  }
  return refused;
}

/**
 * As insertDocuments, where the only acceptable refusal is an existing document (a duplicate key): a document refused
 * for a transient conflict (PostgreSQL under FerretDB breaking a deadlock between concurrent inserts) is inserted
 * again, a few times; anything else throws (nothing else should be refused there). Duplicates by their index in `docs`.
 */
export async function insertNewDocuments<T>(model: Model<T>, docs: object[]): Promise<{ inserted: number; duplicates: number[] }> {
  const duplicates: number[] = [];
  let pending = docs.map((_, index) => index);
  for (let attempt = 1; pending.length; attempt++) {
    const again: number[] = [];
    const refused = await insertDocuments(
      model,
      pending.map((index) => docs[index]!),
    );
    for (const [at, refusal] of refused) {
      if (refusal.code === 11000) duplicates.push(pending[at]!);
      else if (attempt < TRANSIENT_ATTEMPTS && isTransientWriteConflict({ code: refusal.code })) again.push(pending[at]!);
      else throw Object.assign(new Error(refusal.message), { code: refusal.code });
    }
    pending = again;
  }
  return { inserted: docs.length - duplicates.length, duplicates: duplicates.sort((x, y) => x - y) };
}
