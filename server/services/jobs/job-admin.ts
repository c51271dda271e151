import type { Agenda, JobWithState } from 'agenda';
import { authorize } from '../../policies/permissions.js';
import type { ServiceContext } from '../context.js';
import { NotFoundError, ServiceUnavailableError } from '../../errors.js';
import { recordAudit } from '../audit/record-audit.js';
import { mongoose } from '../../db/connect.js';

/**
 * The organisation's own jobs, read through Agenda's query API. Platform jobs (cleanup, digest delivery) hold no
 * organisation and are for operators, so an organisation's admin sees and retries only jobs carrying its id.
 */
export type OrgJob = JobWithState<{ orgId?: string }>;

function requireAgenda(agenda: Agenda | undefined): Agenda {
  if (!agenda) throw new ServiceUnavailableError('The job scheduler is not running in this process.');
  return agenda;
}

export async function listOrgJobs(ctx: ServiceContext, agenda: Agenda | undefined): Promise<OrgJob[]> {
  authorize(ctx.actor, 'job.read');
  const { jobs } = await requireAgenda(agenda).queryJobs({ data: { orgId: ctx.orgId }, sort: { nextRunAt: 'desc' }, limit: 100 });
  return jobs as OrgJob[];
}

/**
 * One line per job of the registry (every job the one Agenda instance defines, in the registry's order): the
 * organisation's own runs of it, or else the platform's shared schedule of it (read only: it holds no organisation),
 * or nothing stored yet.
 */
export type JobOverviewRow = { name: string; scope: 'org' | 'platform' | 'unscheduled'; job: OrgJob | null };

export async function listJobsOverview(ctx: ServiceContext, agenda: Agenda | undefined): Promise<JobOverviewRow[]> {
  authorize(ctx.actor, 'job.read');
  const scheduler = requireAgenda(agenda);
  const names = Object.keys(scheduler.definitions);
  const [own, platform] = await Promise.all([
    scheduler.queryJobs({ names, data: { orgId: ctx.orgId }, sort: { nextRunAt: 'desc' }, limit: 100 }),
    // `orgId: null` matches data without an organisation: the platform's schedules, never another organisation's jobs.
    scheduler.queryJobs({ names, data: { orgId: null }, sort: { nextRunAt: 'desc' }, limit: 100 }),
  ]);
  return names.flatMap((name): JobOverviewRow[] => {
    const mine = (own.jobs as OrgJob[]).filter((job) => job.name === name);
    if (mine.length) return mine.map((job) => ({ name, scope: 'org', job }));
    const shared = (platform.jobs as OrgJob[]).filter((job) => job.name === name);
    const recurring = shared.find((job) => job.repeatInterval) ?? shared[0];
    return [recurring ? { name, scope: 'platform', job: recurring } : { name, scope: 'unscheduled', job: null }];
  });
}

/** Runs one of the organisation's jobs again now, with the same data; every job handler is idempotent. */
export async function retryOrgJob(ctx: ServiceContext, agenda: Agenda | undefined, jobId: string): Promise<void> {
  authorize(ctx.actor, 'job.manage');
  const scheduler = requireAgenda(agenda);
  if (!mongoose.isObjectIdOrHexString(jobId)) throw new NotFoundError('No such job');
  const { jobs } = await scheduler.queryJobs({ id: jobId, data: { orgId: ctx.orgId } });
  const job = jobs[0];
  if (!job) throw new NotFoundError('No such job');
  await scheduler.now(job.name, { orgId: ctx.orgId });
  await recordAudit(ctx, 'job.retry', { type: 'job', id: jobId }, { job: job.name });
}
