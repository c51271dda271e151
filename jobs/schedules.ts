import type { Agenda } from 'agenda';
import { Organization } from '../server/models/organization.js';
import { effectiveSettings } from '../server/services/settings/org-settings.js';
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
  const org = await Organization.findById(orgId, { settings: 1 }).lean();
  if (!org) return;
  const { timezone, followupRunAt } = effectiveSettings(org.settings);
  await agenda
    .create(followupsDailyJob.name, { orgId })
    .unique({ 'data.orgId': orgId }, { insertOnly: !opts.replace })
    .repeatEvery(dailyAt(followupRunAt), { timezone, skipImmediate: true })
    .save();
}

export async function scheduleAllOrgJobs(agenda: Agenda, log: Logger): Promise<() => void> {
  const orgs = await Organization.find({}, { _id: 1 }).lean();
  for (const org of orgs) await scheduleOrgJobs(agenda, String(org._id), { replace: false });
  return domainEvents.onEvent('org.settings_changed', ({ orgId, changed }) => {
    if (!changed.includes('timezone') && !changed.includes('followupRunAt')) return;
    scheduleOrgJobs(agenda, orgId, { replace: true }).catch((err: unknown) => log.error({ err, orgId }, 'rescheduling the daily follow-up run failed'));
  });
}
