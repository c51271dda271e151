import crypto from 'node:crypto';
import { afterAll, beforeAll } from '@jest/globals';
import { connectMongoose, mongoose } from '../../server/db/connect.js';
import '../../server/models/index.js';
import { installDomainReactions } from '../../server/services/reactions.js';
import { closeRuntime, installRuntime } from '../../server/runtime.js';

export function testDatabaseUri(name = `t_${crypto.randomBytes(5).toString('hex')}`): string {
  const base = process.env.STORELINK_TEST_MONGO_BASE;
  if (!base)
    throw new Error(
      'STORELINK_TEST_MONGO_BASE is not set: a test that needs the database belongs to the integration project (test/integration, test/e2e), whose global setup starts it',
    );
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Connects this test file to a database of its own on the run's server; the file drops it when done. */
export function useTestDatabase(opts: { beforeClose?: () => Promise<unknown> } = {}): void {
  beforeAll(async () => {
    // As createApp does: a test that calls a service directly sees the other domains react (a transfer moves the follow-ups).
    installDomainReactions();
    // The process-local caches and queues, as main.ts installs them (a test file is its own process here).
    installRuntime();
    await connectMongoose(testDatabaseUri());
  });
  afterAll(async () => {
    // Whatever still uses the connection (Agenda, a server) stops first.
    await opts.beforeClose?.();
    await mongoose.connection.dropDatabase().catch(() => undefined);
    await mongoose.disconnect();
    closeRuntime();
  });
}
