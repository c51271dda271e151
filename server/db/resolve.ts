import fs from 'node:fs';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import type { Logger } from 'pino';
import { dataDir } from '../paths.js';
import { startEmbeddedMongod } from './embedded.js';
import { ferretdbInstallation, startFerretdb } from './ferretdb.js';
import { standinAvailable, startStandin } from './standin.js';

export type DatabaseKind = 'uri' | 'shared' | 'embedded-mongod' | 'ferretdb' | 'standin';

export type ResolvedDatabase = {
  uri: string;
  kind: DatabaseKind;
  /** Why this one: what was chosen and what was passed over, for the start-up banner. */
  reason: string;
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
  /** A test run's throwaway server need not survive a crash: its commits do not wait for the disk (FerretDB only). */
  durable?: boolean;
  /** Tests and CI never run on the stand-in (default: under CI=true or NODE_ENV=test): without a real database they fail. */
  refuseStandin?: boolean;
};

const addressFile = () => path.join(dataDir(), 'db-address.json');

/** `uri` names the app's database: what a second process or a person should connect to; `uriBase` is the server. */
type AddressRecord = { uri: string; uriBase: string; kind: DatabaseKind; pid: number };

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
 * else the embedded FerretDB over PostgreSQL (when db:install installed it), else the mongo-java-server stand-in
 * (a demo only, never under tests or CI), else a clear failure.
 */
export async function resolveDatabase(opts: ResolveOptions): Promise<ResolvedDatabase> {
  const { log } = opts;
  if (opts.mongodbUri) {
    log.info({ kind: 'uri' }, 'database: MONGODB_URI');
    return { uri: opts.mongodbUri, kind: 'uri', reason: 'MONGODB_URI is set', stop: async () => undefined };
  }

  if (opts.mode === 'persistent') {
    const shared = await findSharedServer(log);
    if (shared) {
      log.info({ kind: 'shared', started: shared.kind, pid: shared.pid }, 'database: the embedded server of the running Storelink process');
      const reason = `the ${shared.kind} server of the Storelink process ${shared.pid} (.data/db-address.json)`;
      return { uri: shared.uri ?? withDbName(shared.uriBase, opts.dbName), kind: 'shared', reason, stop: async () => undefined };
    }
  }

  const persistent = opts.mode === 'persistent';
  const failures: string[] = [];
  if (opts.production) {
    throw new DatabaseUnavailableError('MONGODB_URI is required when NODE_ENV=production: an embedded or stand-in database is for development and tests only.');
  }
  if (process.env.STORELINK_SKIP_EMBEDDED_MONGOD !== 'true') {
    log.info('looking for an embedded mongod (the first start downloads one, about 100 MB; STORELINK_SKIP_EMBEDDED_MONGOD=true skips this)');
    try {
      const mongod = await startEmbeddedMongod({ dbPath: persistent ? path.join(dataDir(), 'mongod') : undefined, log });
      return started('embedded-mongod', mongod.uriBase, mongod.stop, 'an embedded real mongod (mongodb-memory-server)');
    } catch (err) {
      failures.push(`embedded mongod: ${(err as Error).message.split('\n')[0]}`);
      log.info(`${failures.at(-1)}; trying the embedded FerretDB`);
    }
  } else {
    failures.push('embedded mongod: skipped (STORELINK_SKIP_EMBEDDED_MONGOD=true)');
  }

  if (process.env.STORELINK_SKIP_FERRETDB === 'true') {
    failures.push('FerretDB: skipped (STORELINK_SKIP_FERRETDB=true)');
  } else if (ferretdbInstallation()) {
    try {
      const ferret = await startFerretdb({
        dir: persistent ? path.join(dataDir(), 'ferretdb') : undefined,
        log,
        durable: persistent || opts.durable !== false,
      });
      return started(
        'ferretdb',
        ferret.uriBase,
        ferret.stop,
        `embedded FerretDB over PostgreSQL (npm run db:install), data ${persistent ? `kept in ${ferret.dir}` : 'thrown away at the end'}; ${failures.join('; ')}`,
      );
    } catch (err) {
      failures.push(`FerretDB: ${(err as Error).message.split('\n')[0]}`);
      log.warn({ reason: failures.at(-1) }, 'FerretDB could not be started');
    }
  } else {
    failures.push('FerretDB: not installed (npm run db:install)');
  }

  const refuseStandin = opts.refuseStandin ?? (process.env.CI === 'true' || process.env.NODE_ENV === 'test');
  if (refuseStandin) {
    failures.push('stand-in: refused for tests and CI, which run on a real database (FerretDB: npm run db:install)');
  } else if (process.env.STORELINK_SKIP_STANDIN === 'true') {
    failures.push('stand-in: skipped (STORELINK_SKIP_STANDIN=true)');
  } else if (standinAvailable()) {
    try {
      const standin = await startStandin({ persistentFile: persistent ? path.join(dataDir(), 'standin', 'storelink.mv') : undefined, log });
      log.warn(
        { passedOver: failures },
        'database: the mongo-java-server stand-in, a test double for a demo only: not for data that matters (npm run db:install gives a real database)',
      );
      return started(
        'standin',
        standin.uriBase,
        standin.stop,
        `the mongo-java-server stand-in, FOR A DEMO ONLY, NOT FOR DATA THAT MATTERS; ${failures.join('; ')}`,
      );
    } catch (err) {
      failures.push(`stand-in: ${(err as Error).message.split('\n')[0]}`);
    }
  } else {
    failures.push('stand-in: java and mvn are not both on PATH');
  }

  throw new DatabaseUnavailableError(
    'No database could be found or started. Set MONGODB_URI to a MongoDB 6+ server, ' +
      'for example MONGODB_URI=mongodb://127.0.0.1:27017/storelink npm start, or install the embedded engine with npm run db:install.\n  ' +
      failures.join('\n  '),
  );

  function started(kind: DatabaseKind, uriBase: string, stopServer: () => Promise<void>, reason: string): ResolvedDatabase {
    const forget = persistent && opts.advertise ? recordAddress({ uri: withDbName(uriBase, opts.dbName), uriBase, kind, pid: process.pid }) : () => undefined;
    log.info({ kind, uri: uriBase, persistent, reason }, `database: ${kind}`);
    return {
      uri: withDbName(uriBase, opts.dbName),
      kind,
      reason,
      stop: async () => {
        forget();
        await stopServer();
      },
    };
  }
}
