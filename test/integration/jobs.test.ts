import { describe, expect, it, beforeAll } from '@jest/globals';
import type { Agenda } from 'agenda';
import { useTestDatabase } from '../setup/db.js';
import { mongoose } from '../../server/db/connect.js';
import { createAgenda } from '../../jobs/agenda.js';
import { jobs } from '../../jobs/index.js';
import { purgeExpiredJob } from '../../jobs/purge-expired.job.js';
import { createLogger } from '../../server/logger.js';

let agenda: Agenda | undefined;
useTestDatabase({ beforeClose: async () => agenda?.stop() });

beforeAll(async () => {
  const started = createAgenda({ db: mongoose.connection.db!, log: createLogger('silent'), jobs, processEvery: 200, lockLifetimeMs: 1000 });
  // Agenda keeps a liveness timer of half the lock lifetime per run; a short one lets the test process exit.
  await started.start();
  agenda = started;
});

describe('Agenda', () => {
  it('has every job of the registry under a static, unique name', () => {
    const names = jobs.map((job) => job.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('maintenance.purge-expired');
  });

  it('runs the purge job through Agenda: expired sessions and login counters go, live ones stay', async () => {
    const db = mongoose.connection.db!;
    const past = new Date(Date.now() - 60_000);
    const future = new Date(Date.now() + 3_600_000);
    await db.collection('sessions').insertMany([
      { _id: 'expired-session' as never, expires: past, session: '{}' },
      { _id: 'live-session' as never, expires: future, session: '{}' },
    ]);
    await db.collection('login_failures').insertMany([
      { key: 'login:old', points: 3, expire: past },
      { key: 'login:new', points: 1, expire: future },
    ]);

    const finished = new Promise<void>((resolve, reject) => {
      agenda!.once(`success:${purgeExpiredJob.name}`, () => resolve());
      agenda!.once(`fail:${purgeExpiredJob.name}`, (err: unknown) => reject(err));
    });
    await agenda!.now(purgeExpiredJob.name, {});
    await finished;

    expect(await db.collection('sessions').distinct('_id')).toEqual(['live-session']);
    expect(await db.collection('login_failures').distinct('key')).toEqual(['login:new']);
  }, 60_000);

  it('fails a run whose data does not match the job’s schema, and reports the error', async () => {
    const failed = new Promise<Error>((resolve) => agenda!.once(`fail:${purgeExpiredJob.name}`, (err: Error) => resolve(err)));
    await agenda!.now(purgeExpiredJob.name, { customer: { name: 'a whole document' } } as never);
    expect((await failed).name).toBe('ZodError');
  }, 30_000);
});
