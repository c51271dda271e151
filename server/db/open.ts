import type { Logger } from 'pino';
import { resolveDatabase, type ResolvedDatabase } from './resolve.js';
import { connectMongoose, disconnectMongoose } from './connect.js';
import '../models/index.js';

export type OpenDatabase = ResolvedDatabase & { close(): Promise<void> };

/** Resolves the database (see resolve.ts), connects Mongoose and builds the indexes; close() undoes both. */
export async function openDatabase(opts: {
  mongodbUri?: string | undefined;
  mode: 'persistent' | 'ephemeral';
  log: Logger;
  dbName?: string;
  production?: boolean;
  advertise?: boolean;
}): Promise<OpenDatabase> {
  const resolved = await resolveDatabase({
    mongodbUri: opts.mongodbUri,
    mode: opts.mode,
    dbName: opts.dbName ?? 'storelink',
    log: opts.log,
    production: opts.production,
    advertise: opts.advertise,
  });
  try {
    await connectMongoose(resolved.uri);
  } catch (err) {
    await resolved.stop();
    throw err;
  }
  return {
    ...resolved,
    close: async () => {
      await disconnectMongoose();
      await resolved.stop();
    },
  };
}
