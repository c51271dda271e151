import fs from 'node:fs';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import type { Logger } from 'pino';
import { dataDir } from '../paths.js';
import { startEmbeddedMongod } from './embedded.js';
import { standinAvailable, startStandin } from './standin.js';

export type DatabaseKind = 'uri' | 'shared' | 'embedded-mongod' | 'standin';

export type ResolvedDatabase = {
  uri: string;
  kind: DatabaseKind;
  /** Stops a server this process started; a no-op for an external or shared one. */
  stop(): Promise<void>;
};

export class DatabaseUnavailableError extends Error {}

type ResolveOptions = {
  mongodbUri?: string | undefined;
  /** `persistent` keeps data under .data/ (npm start, scripts); `ephemeral` throws it away (tests). */
  mode: 'persistent' | 'ephemeral';
  dbName: string;
  log: Logger;
  /** Production never starts a database of its own. */
  production?: boolean;
  /** Only the app server records the embedded server it starts, so that scripts beside it share it; a script's own server ends with the script. */
  advertise?: boolean;
};

const addressFile = () => path.join(dataDir(), 'db-address.json');

type AddressRecord = { uriBase: string; kind: DatabaseKind; pid: number };

function withDbName(uriBase: string, dbName: string): string {
  return `${uriBase.replace(/\/$/, '')}/${dbName}`;
}

/** The embedded server a running `npm start` recorded, if that process is alive and the server answers. */
async function findSharedServer(log: Logger): Promise<AddressRecord | undefined> {
  let record: AddressRecord;
  try {
    record = JSON.parse(fs.readFileSync(addressFile(), 'utf8')) as AddressRecord;
  } catch {
    return undefined;
  }
  try {
    process.kill(record.pid, 0);
  } catch {
    return undefined;
  }
  const client = new MongoClient(record.uriBase, { serverSelectionTimeoutMS: 2000 });
  try {
    await client.db('admin').command({ ping: 1 });
    return record;
  } catch (err) {
    log.warn({ err }, 'the recorded embedded database does not answer; starting a new one');
    return undefined;
  } finally {
    await client.close().catch(() => undefined);
  }
}

function recordAddress(record: AddressRecord): () => void {
  fs.mkdirSync(dataDir(), { recursive: true });
  fs.writeFileSync(addressFile(), JSON.stringify(record));
  return () => {
    try {
      const current = JSON.parse(fs.readFileSync(addressFile(), 'utf8')) as AddressRecord;
      if (current.pid === record.pid) fs.rmSync(addressFile());
    } catch {
      /* already gone */
    }
  };
}

/**
 * The one place that decides which database the app, a script or the tests use:
 * MONGODB_URI, else the embedded server another local process already runs, else an embedded real mongod,
 * else the mongo-java-server stand-in, else a clear failure.
 */
export async function resolveDatabase(opts: ResolveOptions): Promise<ResolvedDatabase> {
  const { log } = opts;
  if (opts.mongodbUri) {
    log.info({ kind: 'uri' }, 'database: MONGODB_URI');
    return { uri: opts.mongodbUri, kind: 'uri', stop: async () => undefined };
  }

  if (opts.mode === 'persistent') {
    const shared = await findSharedServer(log);
    if (shared) {
      log.info({ kind: 'shared', started: shared.kind, pid: shared.pid }, 'database: the embedded server of the running Storelink process');
      return { uri: withDbName(shared.uriBase, opts.dbName), kind: 'shared', stop: async () => undefined };
    }
  }

  const persistent = opts.mode === 'persistent';
  const failures: string[] = [];
  if (opts.production) {
    throw new DatabaseUnavailableError('MONGODB_URI is required when NODE_ENV=production: an embedded or stand-in database is for development and tests only.');
  }
  if (process.env.STORELINK_SKIP_EMBEDDED_MONGOD !== 'true') {
    try {
      const mongod = await startEmbeddedMongod({ dbPath: persistent ? path.join(dataDir(), 'mongod') : undefined, log });
      return started('embedded-mongod', mongod.uriBase, mongod.stop);
    } catch (err) {
      failures.push(`embedded mongod: ${(err as Error).message.split('\n')[0]}`);
      log.warn({ reason: failures.at(-1) }, 'no embedded mongod could be started; trying the stand-in');
    }
  }

  if (process.env.STORELINK_SKIP_STANDIN === 'true') {
    failures.push('stand-in: skipped (STORELINK_SKIP_STANDIN=true)');
  } else if (standinAvailable()) {
    try {
      const standin = await startStandin({ persistentFile: persistent ? path.join(dataDir(), 'standin', 'storelink.mv') : undefined, log });
      return started('standin', standin.uriBase, standin.stop);
    } catch (err) {
      failures.push(`stand-in: ${(err as Error).message.split('\n')[0]}`);
    }
  } else {
    failures.push('stand-in: java and mvn are not both on PATH');
  }

  throw new DatabaseUnavailableError(
    'No database could be found or started. Set MONGODB_URI to a MongoDB 6+ server, ' +
      'for example MONGODB_URI=mongodb://127.0.0.1:27017/storelink npm start.\n  ' +
      failures.join('\n  '),
  );

  function started(kind: DatabaseKind, uriBase: string, stopServer: () => Promise<void>): ResolvedDatabase {
    const forget = persistent && opts.advertise ? recordAddress({ uriBase, kind, pid: process.pid }) : () => undefined;
    log.info({ kind, uri: uriBase, persistent }, kind === 'standin' ? 'database: MongoDB stand-in (mongo-java-server)' : 'database: embedded mongod');
    return {
      uri: withDbName(uriBase, opts.dbName),
      kind,
      stop: async () => {
        forget();
        await stopServer();
      },
    };
  }
}
