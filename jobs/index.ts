import type { z } from 'zod';
import type { JobSpec } from './agenda.js';
import { purgeExpiredJob } from './purge-expired.job.js';
import { deliverDigestsJob, followupsDailyJob } from './followups.job.js';
import { fireCampaignsJob } from './campaigns.job.js';
import { chatSweepJob } from './chat-sweep.job.js';
import { deliverPostJob, deliverStalledPostsJob } from './post-delivery.job.js';

/** The registry: the one place that lists every job. */
export const jobs: JobSpec<z.ZodType>[] = [
  purgeExpiredJob,
  followupsDailyJob,
  deliverDigestsJob,
  fireCampaignsJob,
  chatSweepJob,
  deliverPostJob,
  deliverStalledPostsJob,
];

export function findJob(name: string): JobSpec<z.ZodType> | undefined {
  return jobs.find((job) => job.name === name);
}
