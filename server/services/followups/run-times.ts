import { Organization } from '../../models/organization.js';
import { effectiveSettings } from '../../domain/settings.js';

/** When an organisation's daily follow-up run is due: its local time and timezone (null: no such organisation). */
export async function dailyRunTimeOf(orgId: string): Promise<{ timezone: string; followupRunAt: string } | null> {
  const org = await Organization.findById(orgId, { settings: 1 }).lean();
  if (!org) return null;
  const { timezone, followupRunAt } = effectiveSettings(org.settings);
  return { timezone, followupRunAt };
}

/** Every organisation's id: each gets its own daily run at start-up. */
export async function allOrganizationIds(): Promise<string[]> {
  const orgs = await Organization.find({}, { _id: 1 }).lean();
  return orgs.map((org) => String(org._id));
}
