import type { Db } from 'mongodb';
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
