import { Organization } from '../../models/organization.js';
import { toObjectId } from '../ids.js';
import { effectiveSettings } from '../../domain/settings.js';
import { NotFoundError } from '../../errors.js';
import { createFollowupTasks, type TaskRunResult } from './generate.js';
import { prepareDigests } from './digests.js';
import { localDateOf, type IsoDate } from '../../domain/calendar.js';

export type DailyRunResult = TaskRunResult & { orgId: string; digests: number };

/**
 * The daily follow-up run of one organisation: the day is today in its timezone (or a given day, for operators
 * and tests), then tasks, then digests. Safe to repeat, and to run in two processes at once.
 */
export async function runDailyFollowups(orgId: string, now: Date, opts: { date?: IsoDate | undefined } = {}): Promise<DailyRunResult> {
  const org = await Organization.findById(toObjectId(orgId, 'organisation'), { settings: 1 }).lean();
  if (!org) throw new NotFoundError('No such organisation');
  const { timezone } = effectiveSettings(org.settings);
  const today = opts.date ?? localDateOf(now, timezone);
  const tasks = await createFollowupTasks(orgId, today);
  const digests = await prepareDigests(orgId, today, now, timezone);
  return { ...tasks, orgId, digests };
}

export async function listOrganizationIds(): Promise<string[]> {
  return (await Organization.find({}, { _id: 1 }).lean()).map((org) => String(org._id));
}
