import type { Agenda } from 'agenda';
import { allOrganizationIds, dailyRunTimeOf } from '../server/services/followups/run-times.js';
import { domainEvents } from '../server/services/events.js';
import { followupsDailyJob } from './followups.job.js';
import type { Logger } from 'pino';

/** The cron expression of a daily run at "HH:MM". */
export function dailyAt(time: string): string {
  const [hours, minutes] = time.split(':').map(Number);
  return `${minutes} ${hours} * * *`;
}

/**
 * Each organisation's daily follow-up job, repeating at its local time in its timezone; one per organisation
 * (unique on the organisation's id). At start-up an existing schedule is left as it is (`insertOnly`), so a run
 * missed while the server was down is still due and runs at once; a settings change replaces it.
 */
export async function scheduleOrgJobs(agenda: Agenda, orgId: string, opts: { replace: boolean }): Promise<void> {
  const runTime = await dailyRunTimeOf(orgId);
  if (!runTime) return;
  const { timezone, followupRunAt } = runTime;
  await agenda
    .create(followupsDailyJob.name, { orgId })
    .unique({ 'data.orgId': orgId }, { insertOnly: !opts.replace })
    .repeatEvery(dailyAt(followupRunAt), { timezone, skipImmediate: true })
    .save();
}

export async function scheduleAllOrgJobs(agenda: Agenda, log: Logger): Promise<() => void> {
  for (const orgId of await allOrganizationIds()) await scheduleOrgJobs(agenda, orgId, { replace: false });
  return domainEvents.onEvent('org.settings_changed', ({ orgId, changed }) => {
    if (!changed.includes('timezone') && !changed.includes('followupRunAt')) return;
    scheduleOrgJobs(agenda, orgId, { replace: true }).catch((err: unknown) => log.error({ err, orgId }, 'rescheduling the daily follow-up run failed'));
  });
}
