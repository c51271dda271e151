// Jest loads this file natively (not through ts-jest), so it reaches the TypeScript database module through tsx.
import { tsImport } from 'tsx/esm/api';
import { buildClient } from '../../client/build.mjs';

/**
 * One database server for the whole run (MONGODB_URI, else embedded mongod, else the embedded FerretDB that
 * npm run db:install installs; never the stand-in); each test file uses its own database on it.
 */
export default async function globalSetup() {
  // The browser tests load the client bundle: built from client/ for this run, never a stale one.
  await buildClient();
  const { resolveDatabase } = await tsImport('../../server/db/resolve.ts', import.meta.url);
  const { createLogger } = await tsImport('../../server/logger.ts', import.meta.url);
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'warn');
  // The run's data is thrown away, so the embedded FerretDB's commits need not wait for the disk.
  const db = await resolveDatabase({
    mongodbUri: process.env.MONGODB_URI,
    mode: 'ephemeral',
    durable: false,
    dbName: 'storelink_test',
    log,
    refuseStandin: true,
  });
  process.stdout.write(`\ntest database: ${db.kind} (${db.reason})\n`);
  globalThis.__storelinkTestDb = db;
  const url = new URL(db.uri);
  url.pathname = '/';
  process.env.STORELINK_TEST_MONGO_BASE = url.toString().replace(/\/$/, '');
  process.env.STORELINK_TEST_MONGO_KIND = db.kind;
}
