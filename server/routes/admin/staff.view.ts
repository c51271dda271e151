import type { StaffDoc } from '../../models/staff.js';
import { roles } from '../../domain/vocabulary.js';
import type { ServiceContext } from '../../services/context.js';
import { getStaff } from '../../services/org/staff.js';
import { listStoreChoices } from '../../services/org/stores.js';
import { getOrgSettings } from '../../services/org/settings.js';
import { presentStaff } from '../../presenters/staff.js';
import { storeNameMap } from '../../presenters/store.js';
import { timezoneName } from '../../presenters/timezones.js';

/** View models of the staff admin pages and the staff API's list (both name each member's store). */

type T = (key: string, params?: Record<string, unknown>) => string;

async function presentWithStoreNames(ctx: ServiceContext, staff: StaffDoc[]) {
  const names = storeNameMap(await listStoreChoices(ctx));
  return staff.map((member) => presentStaff(member, names));
}

export const staffListPayload = async (ctx: ServiceContext, staff: StaffDoc[]) => ({ items: await presentWithStoreNames(ctx, staff) });

export const staffListModel = async (ctx: ServiceContext, staff: StaffDoc[], t: T) => ({
  title: t('staff.title'),
  staff: await presentWithStoreNames(ctx, staff),
});

/** The form's choices, and the organisation's do-not-disturb window that an empty one falls back to. */
async function staffFormModel(ctx: ServiceContext, title: string, locale: string) {
  const [stores, settings] = await Promise.all([listStoreChoices(ctx), getOrgSettings(ctx)]);
  return {
    title,
    stores: stores.map((s) => ({ id: String(s._id), name: s.name })),
    roles: [...roles],
    dndDefault: { start: settings.dndStart, end: settings.dndEnd, timezone: timezoneName(settings.timezone, locale) },
  };
}

export async function newStaffModel(ctx: ServiceContext, t: T, locale: string) {
  return { ...(await staffFormModel(ctx, t('staff.new'), locale)), creating: true };
}

/** A new member starts with the organisation's do-not-disturb window, shown so it can be changed before saving. */
export async function emptyStaffModel(ctx: ServiceContext, t: T, locale: string) {
  const model = await newStaffModel(ctx, t, locale);
  return { ...model, values: { roles: ['clerk'], dndStart: model.dndDefault.start, dndEnd: model.dndDefault.end } };
}

export async function editStaffModel(ctx: ServiceContext, member: StaffDoc, t: T, locale: string) {
  const staff = presentStaff(member);
  return { ...(await staffFormModel(ctx, t('staff.edit'), locale)), values: staff, staff };
}

/** The edit page shown again (after its profile or its password form): only for a member in reach, else 404. */
export async function editStaffAgainModel(ctx: ServiceContext, staffId: string, t: T, locale: string) {
  const [staff, model] = await Promise.all([getStaff(ctx, staffId), staffFormModel(ctx, t('staff.edit'), locale)]);
  return { ...model, staff: presentStaff(staff) };
}
