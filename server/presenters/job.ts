import type { JobWithState } from 'agenda';
import { timezoneName } from './timezones.js';

/** An organisation's job as the scheduler keeps it, and a line of the jobs overview (see services/jobs/job-admin.ts). */
type OrgJob = JobWithState<{ orgId?: string }>;
type JobOverviewRow = { name: string; scope: 'org' | 'platform' | 'unscheduled'; job: OrgJob | null };

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

type Translate = (key: string, params?: Record<string, unknown>) => string;

type Unit = 'second' | 'minute' | 'hour' | 'day' | 'week';

/**
 * A schedule in people's words: the daily cron the follow-up run is saved with ("30 8 * * *" -> 每天 08:30) and the
 * intervals of the platform jobs ("15 seconds" -> 每 15 秒). These are the only schedules the app writes
 * (jobs/schedules.ts dailyAt, the registry's `every`); anything else is shown as stored rather than guessed at.
 */
export function scheduleWords(repeat: string | null | undefined, t: Translate): string | null {
  if (!repeat) return null;
  const daily = /^(\d{1,2}) (\d{1,2}) \* \* \*$/.exec(repeat.trim());
  if (daily) return t('jobs.every.dayAt', { time: `${daily[2]!.padStart(2, '0')}:${daily[1]!.padStart(2, '0')}` });
  const interval = /^(\d+)\s*(second|minute|hour|day|week)s?$/i.exec(repeat.trim());
  if (interval) {
    const count = Number(interval[1]);
    const unit = interval[2]!.toLowerCase() as Unit;
    return count === 1 ? t(`jobs.every.${unit}One`) : t(`jobs.every.${unit}`, { count });
  }
  return repeat;
}

/** A line of the jobs page; a platform job shows when it ran and whether it failed, never its error text (it may name other organisations). */
export function presentJobRow(row: JobOverviewRow, view: { t: Translate; locale: string }) {
  const job = row.job ? presentJob(row.job) : null;
  const mine = row.scope === 'org';
  return {
    id: job?.id ?? null,
    name: row.name,
    scope: row.scope,
    schedule: scheduleWords(job?.repeat, view.t),
    timezone: job?.timezone ?? null,
    timezoneName: job?.timezone ? timezoneName(job.timezone, view.locale) : null,
    state: job?.state ?? null,
    running: job?.running ?? false,
    nextRunAt: job?.nextRunAt ?? null,
    lastRunAt: job?.lastFinishedAt ?? job?.lastRunAt ?? null,
    failedAt: job?.failReason ? job.failedAt : null,
    failReason: mine ? (job?.failReason ?? null) : null,
    retryable: mine,
  };
}
