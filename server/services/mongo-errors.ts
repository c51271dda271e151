import { mongoose } from '../db/connect.js';
import { isTransientWriteConflict, TRANSIENT_ATTEMPTS } from '../db/write-conflicts.js';

const { mongo } = mongoose;

/** MongoDB's duplicate key error (E11000), from the driver or from Mongoose. */
export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}

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
