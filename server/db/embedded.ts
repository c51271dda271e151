import fs from 'node:fs';
import type { Logger } from 'pino';

export type EmbeddedHandle = { uriBase: string; stop(): Promise<void> };

/** A real mongod from mongodb-memory-server; it downloads the binary on first use where the internet is reachable. */
export async function startEmbeddedMongod(opts: { dbPath?: string; log: Logger }): Promise<EmbeddedHandle> {
  const { MongoMemoryServer, MongoBinary } = await import('mongodb-memory-server-core');
  // Find or download the binary first: where that fails, it fails quietly and the caller moves on.
  try {
    await MongoBinary.getPath();
  } catch (err) {
    // Its own message ends in an empty "Details:"; say what happened in words a developer acts on.
    throw new Error('no mongod binary on this machine, and downloading one failed (no internet?)', { cause: err });
  }
  if (opts.dbPath) fs.mkdirSync(opts.dbPath, { recursive: true });
  const server = await MongoMemoryServer.create({
    instance: { ip: '127.0.0.1', ...(opts.dbPath ? { dbPath: opts.dbPath, storageEngine: 'wiredTiger' as const } : {}) },
  });
  const uri = new URL(server.getUri());
  return {
    uriBase: `mongodb://${uri.host}`,
    stop: async () => {
      await server.stop({ doCleanup: !opts.dbPath, force: false });
    },
  };
}
