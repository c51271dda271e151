import { Organization, type OrganizationDoc } from '../../models/organization.js';
import { NotFoundError } from '../../errors.js';
import { authorize } from '../../policies/permissions.js';
import type { ServiceContext } from '../context.js';
import { toObjectId } from '../ids.js';
import { recordAudit } from '../audit/record-audit.js';
import { effectiveSettings, type OrgSettings } from '../../domain/settings.js';
import { domainEvents } from '../events.js';
import { localDateOf, type IsoDate } from '../../domain/calendar.js';
import { clock } from '../../clock.js';

export async function getOrganization(ctx: ServiceContext): Promise<OrganizationDoc> {
  const org = await Organization.findById(toObjectId(ctx.orgId)).lean<OrganizationDoc>();
  if (!org) throw new NotFoundError('No such organisation');
  return org;
}

/** Any staff member may read the effective settings: limits are shown to the people they affect. */
export async function getOrgSettings(ctx: ServiceContext): Promise<OrgSettings> {
  return effectiveSettings((await getOrganization(ctx)).settings);
}

/** Today in the organisation's timezone, from the injectable clock: the day follow-ups and reports count in. */
export async function orgToday(ctx: ServiceContext): Promise<IsoDate> {
  return localDateOf(clock.now(), (await getOrgSettings(ctx)).timezone);
}

export async function updateOrgSettings(ctx: ServiceContext, input: { name: string; settings: OrgSettings }): Promise<OrganizationDoc> {
  authorize(ctx.actor, 'org.settings.manage');
  const before = await getOrganization(ctx);
  const previous = effectiveSettings(before.settings);
  const changes = Object.fromEntries(
    (Object.keys(input.settings) as (keyof OrgSettings)[])
      .filter((key) => input.settings[key] !== previous[key])
      .map((key) => [key, { from: previous[key], to: input.settings[key] }]),
  );
  const org = await Organization.findByIdAndUpdate(
    before._id,
    { $set: { name: input.name, settings: input.settings } },
    { returnDocument: 'after' },
  ).lean<OrganizationDoc>();
  if (!org) throw new NotFoundError('No such organisation');
  if (Object.keys(changes).length > 0) domainEvents.emitEvent('org.settings_changed', { orgId: ctx.orgId, changed: Object.keys(changes) });
  if (Object.keys(changes).length > 0 || before.name !== input.name) {
    await recordAudit(
      ctx,
      'org.settings_change',
      { type: 'organization', id: ctx.orgId },
      { changes, ...(before.name !== input.name ? { name: { from: before.name, to: input.name } } : {}) },
    );
  }
  return org;
}

/** A partial change (the API's PATCH): `patchOf` lays it over the stored name and settings and answers the whole, checked. */
export async function patchOrgSettings(
  ctx: ServiceContext,
  patchOf: (stored: { name: string; settings: OrgSettings }) => { name: string; settings: OrgSettings },
): Promise<OrganizationDoc> {
  authorize(ctx.actor, 'org.settings.manage');
  const stored = await getOrganization(ctx);
  return updateOrgSettings(ctx, patchOf({ name: stored.name, settings: effectiveSettings(stored.settings) }));
}
