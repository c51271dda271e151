import { MongoServerError } from 'mongodb';

const ATTEMPTS = 4;
const PAUSE_MS = 150;

/**
 * Builds indexes, again after a refusal by the server. Creating an index that exists is a no-op, so a retry is
 * always safe; it is needed because PostgreSQL under FerretDB keeps every database's catalogue in shared tables and
 * can abort one of several index builds running at once (processes starting together) with a deadlock. A refusal
 * that persists (conflicting index options) is thrown after the last attempt.
 */
export async function buildIndexes(build: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await build();
      return;
    } catch (err) {
      if (!(err instanceof MongoServerError) || attempt >= ATTEMPTS) throw err;
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS * attempt));
    }
  }
}
