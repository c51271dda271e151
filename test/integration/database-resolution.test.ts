import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, afterEach } from '@jest/globals';
import { MongoClient } from 'mongodb';
import { resolveDatabase, DatabaseUnavailableError } from '../../server/db/resolve.js';
import { createLogger } from '../../server/logger.js';

const log = createLogger('silent');
const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('database resolution', () => {
  it('uses MONGODB_URI as given when it is set', async () => {
    const db = await resolveDatabase({ mongodbUri: 'mongodb://db.example:27017/storelink', mode: 'persistent', dbName: 'ignored', log });
    expect(db).toMatchObject({ kind: 'uri', uri: 'mongodb://db.example:27017/storelink' });
  });

  it('fails with one clear message naming MONGODB_URI when nothing can be started', async () => {
    process.env.STORELINK_SKIP_EMBEDDED_MONGOD = 'true';
    process.env.STORELINK_SKIP_FERRETDB = 'true';
    process.env.STORELINK_SKIP_STANDIN = 'true';
    const attempt = resolveDatabase({ mode: 'ephemeral', dbName: 'x', log, refuseStandin: false });
    await expect(attempt).rejects.toThrow(DatabaseUnavailableError);
    await expect(attempt).rejects.toThrow(/Set MONGODB_URI/);
  });

  it('never falls back to the stand-in under tests and CI, saying why', async () => {
    process.env.STORELINK_SKIP_EMBEDDED_MONGOD = 'true';
    process.env.STORELINK_SKIP_FERRETDB = 'true';
    for (const env of [{ NODE_ENV: 'test' }, { NODE_ENV: 'development', CI: 'true' }]) {
      Object.assign(process.env, env);
      const attempt = resolveDatabase({ mode: 'ephemeral', dbName: 'x', log });
      await expect(attempt).rejects.toThrow(DatabaseUnavailableError);
      await expect(attempt).rejects.toThrow(/stand-in: refused for tests and CI/);
    }
  });

  it('refuses to start a database of its own in production', async () => {
    await expect(resolveDatabase({ mode: 'persistent', dbName: 'x', log, production: true })).rejects.toThrow(/MONGODB_URI is required/);
  });

  it('lets scripts started beside a running server use that server instead of starting another', async () => {
    if (!process.env.STORELINK_TEST_MONGO_BASE) throw new Error('no test database');
    process.env.STORELINK_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'storelink-data-'));
    // What `npm start` records when it starts an embedded server: here the test run's server stands in for it.
    fs.writeFileSync(
      path.join(process.env.STORELINK_DATA_DIR, 'db-address.json'),
      JSON.stringify({ uriBase: process.env.STORELINK_TEST_MONGO_BASE, kind: process.env.STORELINK_TEST_MONGO_KIND, pid: process.pid }),
    );
    const shared = await resolveDatabase({ mode: 'persistent', dbName: 'storelink_shared_check', log });
    expect(shared.kind).toBe('shared');
    const client = new MongoClient(shared.uri, { serverSelectionTimeoutMS: 3000 });
    try {
      await client.db().command({ ping: 1 });
      expect(client.db().databaseName).toBe('storelink_shared_check');
    } finally {
      await client.close();
    }
  });

  it('ignores a stale address left by a process that is gone', async () => {
    process.env.STORELINK_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'storelink-data-'));
    fs.writeFileSync(
      path.join(process.env.STORELINK_DATA_DIR, 'db-address.json'),
      JSON.stringify({ uriBase: 'mongodb://127.0.0.1:1', kind: 'ferretdb', pid: 2 ** 22 + 17 }),
    );
    process.env.STORELINK_SKIP_EMBEDDED_MONGOD = 'true';
    process.env.STORELINK_SKIP_FERRETDB = 'true';
    process.env.STORELINK_SKIP_STANDIN = 'true';
    await expect(resolveDatabase({ mode: 'persistent', dbName: 'x', log })).rejects.toThrow(DatabaseUnavailableError);
  });
});
