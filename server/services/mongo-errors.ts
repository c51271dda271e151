import type { Model } from 'mongoose';
import { mongoose } from '../db/connect.js';
import { insertDocuments } from '../db/bulk-insert.js';

const { mongo } = mongoose;

/** MongoDB's duplicate key error (E11000), from the driver or from Mongoose. */
export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}

/**
 * A write the database undid because a concurrent write held what it needed: nothing was applied, so running it again
 * is safe. MongoDB retries these itself outside transactions (WriteConflict, 112, reaches clients only inside one);
 * PostgreSQL under FerretDB reports them with its SQLSTATE as the code: deadlock_detected (40P01) and
 * serialization_failure (40001); on a findAndModify it answers InternalError (1) for those and for two inserts of
 * one unique key colliding, the statement rolled back in every case.
 */
const TRANSIENT_WRITE_CONFLICTS = new Set([112, 16908292, 16777220, 1]);

export function isTransientWriteConflict(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, hasErrorLabel } = err as { code?: unknown; hasErrorLabel?: (label: string) => boolean };
  return (
    (typeof code === 'number' && TRANSIENT_WRITE_CONFLICTS.has(code)) ||
    (typeof hasErrorLabel === 'function' && hasErrorLabel.call(err, 'TransientTransactionError'))
  );
}

const TRANSIENT_ATTEMPTS = 5;

/** Runs a write again (a few times) while the database undoes it for a transient write conflict, as MongoDB does on its own. */
export async function retryingTransientConflicts<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      if (!isTransientWriteConflict(err) || attempt >= TRANSIENT_ATTEMPTS) throw err;
    }
  }
}

/**
 * An upsert that two requests make at once for a record that does not exist yet: one inserts, the other collides on
 * the unique key without anything being wrong, and is run once more (it then finds the record). A second collision
 * is the caller's to interpret (a conditional upsert whose condition failed). A transient write conflict is run
 * again too (a few times).
 */
export async function upsertRetryingOnce<T>(upsert: () => Promise<T>): Promise<T> {
  try {
    return await retryingTransientConflicts(upsert);
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    return retryingTransientConflicts(upsert);
  }
}

/**
 * Inserts new documents that nothing else writes (a post's deliveries, the post itself): each refused for a transient
 * conflict (PostgreSQL under FerretDB breaking a deadlock between concurrent inserts) is inserted again, a few times;
 * any other refusal throws, as nothing else should refuse them.
 */
export async function insertAllRetryingConflicts<T>(model: Model<T>, docs: object[]): Promise<void> {
  let pending = docs;
  for (let attempt = 1; pending.length; attempt++) {
    const again: object[] = [];
    for (const [index, refusal] of await insertDocuments(model, pending)) {
      if (attempt < TRANSIENT_ATTEMPTS && isTransientWriteConflict({ code: refusal.code })) again.push(pending[index]!);
      else throw Object.assign(new Error(refusal.message), { code: refusal.code });
    }
    pending = again;
  }
}

/** Mongoose's connection is up (1 = connected): otherwise operations wait in its buffer for the database. */
export function databaseConnected(): boolean {
  return mongoose.connection.readyState === mongoose.ConnectionStates.connected;
}

/**
 * An error that means "the database cannot be reached", told by its class, never by its text: no server to select
 * (driver or Mongoose), a network failure or timeout (a cleared pool included), a client not connected, or an
 * operation that timed out in Mongoose's buffer while the connection was down (a plain MongooseError, so only
 * counted while the connection is not up). Causes are followed, and the error a bulk write wraps (`errorResponse`).
 */
export function isDatabaseUnreachable(err: unknown): boolean {
  const seen = new Set<unknown>();
  const pending = [err];
  while (pending.length && seen.size < 10) {
    const e = pending.shift();
    if (!(e instanceof Error) || seen.has(e)) continue;
    seen.add(e);
    if (e instanceof mongo.MongoServerSelectionError || e instanceof mongo.MongoNetworkError || e instanceof mongo.MongoNotConnectedError) return true;
    if (e instanceof mongoose.Error.MongooseServerSelectionError) return true;
    if (e.constructor === mongoose.Error && !databaseConnected()) return true;
    pending.push(e.cause, (e as { errorResponse?: unknown }).errorResponse);
  }
  return false;
}
