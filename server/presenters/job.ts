import type { OrgJob } from '../services/jobs/job-admin.js';

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);

export function presentJob(job: OrgJob) {
  return {
    id: String(job._id),
    name: job.name,
    state: job.state,
    repeat: job.repeatInterval ? String(job.repeatInterval) : null,
    timezone: job.repeatTimezone ?? null,
    nextRunAt: iso(job.nextRunAt),
    lastRunAt: iso(job.lastRunAt),
    lastFinishedAt: iso(job.lastFinishedAt),
    failedAt: iso(job.failedAt),
    failCount: job.failCount ?? 0,
    failReason: job.failReason ?? null,
    running: job.state === 'running',
  };
}
