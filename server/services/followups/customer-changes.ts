import { Organization } from '../../models/organization.js';
import { toObjectId } from '../ids.js';
import { effectiveSettings } from '../../domain/settings.js';
import { localDateOf } from '../../domain/calendar.js';
import { createFollowupTasks, withdrawStaleBirthdayTasks } from './generate.js';

/**
 * A customer added or edited today gets today's follow-ups at once (a birthday in three days would otherwise wait for
 * tomorrow's 08:30 run), through the daily run's own code and keys, so that run creates nothing twice; tasks for a
 * birthday that is no longer on their day are withdrawn.
 */
export async function followCustomerChanges(orgId: string, customerIds: string[], now: Date): Promise<{ created: number; withdrawn: number }> {
  if (!customerIds.length) return { created: 0, withdrawn: 0 };
  const org = await Organization.findById(toObjectId(orgId, 'organisation'), { settings: 1 }).lean();
  if (!org) return { created: 0, withdrawn: 0 };
  const ids = customerIds.map((id) => toObjectId(id, 'customer'));
  const withdrawn = await withdrawStaleBirthdayTasks(orgId, ids);
  const { created } = await createFollowupTasks(orgId, localDateOf(now, effectiveSettings(org.settings).timezone), { customerIds: ids });
  return { created, withdrawn };
}
