import { Agenda, type Job } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import type { Db } from 'mongodb';
import type { z } from 'zod';
import type { Logger } from 'pino';

/** A job: a static name that never changes, data holding ids only (parsed with zod), an idempotent handler. */
export type JobSpec<S extends z.ZodType> = {
  name: string;
  data: S;
  run: (data: z.infer<S>, job: Job) => Promise<void>;
  /** Recurring jobs: an interval or cron expression, scheduled once per deployment (unique by name). */
  every?: string;
};

export function defineJob<S extends z.ZodType>(spec: JobSpec<S>): JobSpec<S> {
  return spec;
}

/**
 * The one Agenda instance: defines every job from the registry and logs start, success and failure of each run,
 * so no job can fail silently.
 */
export function createAgenda(opts: {
  db: Db;
  log: Logger;
  jobs: JobSpec<z.ZodType>[];
  name?: string;
  processEvery?: string | number;
  lockLifetimeMs?: number;
}): Agenda {
  const agenda = new Agenda({
    backend: new MongoBackend({ mongo: opts.db, collection: 'agendaJobs' }),
    ...(opts.name ? { name: opts.name } : {}),
    processEvery: opts.processEvery ?? '30 seconds',
    defaultLockLifetime: opts.lockLifetimeMs ?? 10 * 60 * 1000,
  });
  const log = opts.log.child({ component: 'jobs' });
  for (const spec of opts.jobs) {
    agenda.define(spec.name, async (job: Job) => {
      const data = spec.data.parse(job.attrs.data ?? {});
      await spec.run(data, job);
    });
  }
  // Start and success are routine (the chat sweep runs every 15 s): LOG_LEVEL=debug shows them; failures always show.
  agenda.on('start', (job) => log.debug({ job: job.attrs.name, id: String(job.attrs._id) }, 'job started'));
  agenda.on('success', (job) => log.debug({ job: job.attrs.name, id: String(job.attrs._id) }, 'job succeeded'));
  agenda.on('fail', (err, job) => log.error({ err, job: job.attrs.name, id: String(job.attrs._id) }, 'job failed'));
  agenda.on('error', (err) => log.error({ err }, 'agenda error'));
  return agenda;
}

export async function scheduleRecurring(agenda: Agenda, jobs: JobSpec<z.ZodType>[]): Promise<void> {
  for (const spec of jobs) {
    if (spec.every) await agenda.every(spec.every, spec.name, {}, { skipImmediate: true });
  }
}
