import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { Staff, type Role, type StaffDoc } from '../../models/staff.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { authorize, can } from '../../policies/permissions.js';
import { recordFields, rolesFor, scopeFilter } from '../../policies/scopes.js';
import type { ServiceContext } from '../context.js';
import { toObjectId } from '../ids.js';
import { recordAudit } from '../audit/record-audit.js';
import { hashPassword } from '../auth/passwords.js';
import { isDuplicateKey } from '../mongo-errors.js';
import { assertStoreInOrg } from './stores.js';
import { domainEvents } from '../events.js';
import { getOrgSettings } from './settings.js';

/** DOMAIN: staff belong to a store; only admins and marketers may belong to none. */
const rolesWithoutStore: readonly Role[] = ['admin', 'marketer'];

export type StaffProfileInput = {
  realName: string;
  title: string;
  phone: string;
  showPhoneToCustomers: boolean;
  storeId: string | null;
  roles: Role[];
  dndStart?: string | undefined;
  dndEnd?: string | undefined;
};

export type NewStaffInput = StaffProfileInput & { login: string; password: string };

export async function listStaff(ctx: ServiceContext, opts: { status?: 'active' | 'left' | undefined } = {}): Promise<StaffDoc[]> {
  const filter = scopeFilter(ctx, 'staff.read', recordFields.staff);
  if (opts.status) filter.status = opts.status;
  return Staff.find(filter).sort({ status: 1, realName: 1 }).lean<StaffDoc[]>();
}

export async function getStaff(ctx: ServiceContext, staffId: string): Promise<StaffDoc> {
  const staff = await Staff.findOne({ _id: toObjectId(staffId, 'staff'), orgId: toObjectId(ctx.orgId) }).lean<StaffDoc>();
  if (!staff) throw new NotFoundError('No such staff member');
  authorize(ctx.actor, 'staff.read', { storeId: staff.storeId ? String(staff.storeId) : null });
  return staff;
}

/** Anyone signed in reads their own record (profile, API /me); reading others goes through the matrix. */
export async function getOwnProfile(ctx: ServiceContext): Promise<StaffDoc> {
  const staff = await Staff.findOne({ _id: toObjectId(ctx.actor.id), orgId: toObjectId(ctx.orgId) }).lean<StaffDoc>();
  if (!staff) throw new NotFoundError('No such staff member');
  return staff;
}

function normalisePhone(phone: string): string {
  if (!phone) return '';
  const parsed = parsePhoneNumberFromString(phone, 'CN');
  if (!parsed?.isValid()) throw new ValidationError({ phone: ['phone'] });
  return parsed.number;
}

async function checkProfile(ctx: ServiceContext, input: StaffProfileInput) {
  if (input.storeId) await assertStoreInOrg(ctx, input.storeId);
  else if (input.roles.some((role) => !rolesWithoutStore.includes(role))) {
    throw new ValidationError({ storeId: ['store_required'] });
  }
  return {
    realName: input.realName,
    title: input.title,
    phone: normalisePhone(input.phone),
    showPhoneToCustomers: input.showPhoneToCustomers,
    storeId: input.storeId ? toObjectId(input.storeId) : null,
    roles: [...new Set(input.roles)],
  };
}

export async function createStaff(ctx: ServiceContext, input: NewStaffInput): Promise<StaffDoc> {
  authorize(ctx.actor, 'staff.manage');
  const profile = await checkProfile(ctx, input);
  const settings = await getOrgSettings(ctx);
  try {
    const staff = await Staff.create({
      orgId: toObjectId(ctx.orgId),
      login: input.login,
      passwordHash: await hashPassword(input.password),
      ...profile,
      dndStart: input.dndStart ?? settings.dndStart,
      dndEnd: input.dndEnd ?? settings.dndEnd,
    });
    await recordAudit(ctx, 'staff.create', { type: 'staff', id: String(staff._id) }, { login: staff.login, roles: staff.roles });
    return staff.toObject();
  } catch (err) {
    if (isDuplicateKey(err)) {
      throw new ConflictError('This login is taken.', { code: 'login_taken', messageKey: 'errors.login_taken', details: { fields: { login: ['taken'] } } });
    }
    throw err;
  }
}

export async function updateStaff(ctx: ServiceContext, staffId: string, input: StaffProfileInput): Promise<StaffDoc> {
  authorize(ctx.actor, 'staff.manage');
  const before = await getStaff(ctx, staffId);
  const profile = await checkProfile(ctx, input);
  if (before.roles.includes('admin') && !profile.roles.includes('admin')) await assertAnotherActiveAdmin(ctx, staffId);
  const update: Record<string, unknown> = { ...profile };
  if (input.dndStart) update.dndStart = input.dndStart;
  if (input.dndEnd) update.dndEnd = input.dndEnd;
  const staff = await Staff.findOneAndUpdate({ _id: before._id, orgId: before.orgId }, { $set: update }, { returnDocument: 'after' }).lean<StaffDoc>();
  if (!staff) throw new NotFoundError('No such staff member');
  const rolesChanged = [...before.roles].sort().join() !== [...staff.roles].sort().join();
  await recordAudit(
    ctx,
    rolesChanged ? 'staff.roles_change' : 'staff.update',
    { type: 'staff', id: staffId },
    rolesChanged ? { from: before.roles, to: staff.roles } : {},
  );
  // Pages read the staff member per request; sockets hold what they were given at connection, so they end.
  if (rolesChanged || String(before.storeId) !== String(staff.storeId)) domainEvents.emitEvent('staff.access_changed', { orgId: ctx.orgId, staffId });
  domainEvents.emitEvent('staff.card_changed', { orgId: ctx.orgId, staffId });
  return staff;
}

/** A partial change (the API's PATCH): `patchOf` lays it over the stored profile and answers the whole, checked input. */
export async function patchStaffProfile(ctx: ServiceContext, staffId: string, patchOf: (stored: StaffDoc) => StaffProfileInput): Promise<StaffDoc> {
  const stored = await getStaff(ctx, staffId);
  return updateStaff(ctx, String(stored._id), patchOf(stored));
}

/** An organisation never loses its last active admin: nobody could manage it any more. */
async function assertAnotherActiveAdmin(ctx: ServiceContext, staffId: string): Promise<void> {
  const others = await Staff.countDocuments({ orgId: toObjectId(ctx.orgId), _id: { $ne: toObjectId(staffId) }, roles: 'admin', status: 'active' });
  if (others === 0) throw new ConflictError('The organisation needs at least one active admin.', { code: 'last_admin', messageKey: 'errors.last_admin' });
}

/** Deactivation ends the staff member's sessions, tokens and sockets at once (authVersion and status are checked per request). */
export async function deactivateStaff(ctx: ServiceContext, staffId: string): Promise<StaffDoc> {
  authorize(ctx.actor, 'staff.manage');
  if (staffId === ctx.actor.id)
    throw new ConflictError('You cannot deactivate yourself.', { code: 'cannot_deactivate_self', messageKey: 'errors.cannot_deactivate_self' });
  const before = await getStaff(ctx, staffId);
  if (before.status === 'left') return before;
  if (before.roles.includes('admin')) await assertAnotherActiveAdmin(ctx, staffId);
  const staff = await Staff.findOneAndUpdate(
    { _id: before._id, orgId: before.orgId, status: 'active' },
    { $set: { status: 'left', leftAt: new Date() }, $inc: { authVersion: 1 } },
    { returnDocument: 'after' },
  ).lean<StaffDoc>();
  if (!staff) return getStaff(ctx, staffId);
  await recordAudit(ctx, 'staff.deactivate', { type: 'staff', id: staffId });
  domainEvents.emitEvent('staff.access_revoked', { orgId: ctx.orgId, staffId });
  return staff;
}

export async function reactivateStaff(ctx: ServiceContext, staffId: string): Promise<StaffDoc> {
  authorize(ctx.actor, 'staff.manage');
  const before = await getStaff(ctx, staffId);
  const staff = await Staff.findOneAndUpdate(
    { _id: before._id, orgId: before.orgId },
    { $set: { status: 'active', leftAt: null } },
    { returnDocument: 'after' },
  ).lean<StaffDoc>();
  if (!staff) throw new NotFoundError('No such staff member');
  if (before.status === 'left') {
    await recordAudit(ctx, 'staff.reactivate', { type: 'staff', id: staffId });
    domainEvents.emitEvent('staff.access_changed', { orgId: ctx.orgId, staffId });
  }
  return staff;
}

/** Answers the member as she was found, for the message that names her. */
export async function resetStaffPassword(ctx: ServiceContext, staffId: string, password: string): Promise<StaffDoc> {
  authorize(ctx.actor, 'staff.manage');
  const before = await getStaff(ctx, staffId);
  await Staff.updateOne({ _id: before._id, orgId: before.orgId }, { $set: { passwordHash: await hashPassword(password) }, $inc: { authVersion: 1 } });
  await recordAudit(ctx, 'staff.password_reset', { type: 'staff', id: staffId });
  domainEvents.emitEvent('staff.access_revoked', { orgId: ctx.orgId, staffId });
  return before;
}

/** Every staff member sets their own do-not-disturb window and where their digest goes. */
export async function updateOwnReminderSettings(ctx: ServiceContext, input: { dndStart: string; dndEnd: string; email: string }): Promise<void> {
  const result = await Staff.updateOne(
    { _id: toObjectId(ctx.actor.id), orgId: toObjectId(ctx.orgId) },
    { $set: { dndStart: input.dndStart, dndEnd: input.dndEnd, email: input.email } },
  );
  if (result.matchedCount === 0) throw new NotFoundError('No such staff member');
}

/** What the staff member herself chooses to show customers on her staff card. */
export async function updateOwnCardSettings(ctx: ServiceContext, input: { showPhoneToCustomers: boolean }): Promise<StaffDoc> {
  const staff = await Staff.findOneAndUpdate(
    { _id: toObjectId(ctx.actor.id), orgId: toObjectId(ctx.orgId) },
    { $set: { showPhoneToCustomers: input.showPhoneToCustomers } },
    { returnDocument: 'after' },
  ).lean<StaffDoc>();
  if (!staff) throw new NotFoundError('No such staff member');
  domainEvents.emitEvent('staff.card_changed', { orgId: ctx.orgId, staffId: ctx.actor.id });
  return staff;
}

/** Staff a customer may be assigned to by this actor: active clerks and managers within the actor's customer scope. */
export async function listAssignableOwners(ctx: ServiceContext): Promise<Pick<StaffDoc, '_id' | 'realName' | 'storeId'>[]> {
  if (!can(ctx.actor, 'customer.write')) return [];
  const filter: Record<string, unknown> = {
    ...scopeFilter(ctx, 'customer.write', recordFields.staff),
    status: 'active',
    roles: { $in: rolesFor('customer.own') },
  };
  return Staff.find(filter, { realName: 1, storeId: 1 }).sort({ realName: 1 }).lean();
}

/** Colleagues a customer can be shared with: active staff of the organisation who serve customers. */
export async function listShareCandidates(ctx: ServiceContext): Promise<Pick<StaffDoc, '_id' | 'realName'>[]> {
  authorize(ctx.actor, 'customer.write');
  return Staff.find({ orgId: toObjectId(ctx.orgId), status: 'active', roles: { $in: rolesFor('customer.share_receive') } }, { realName: 1 })
    .sort({ realName: 1 })
    .lean();
}
