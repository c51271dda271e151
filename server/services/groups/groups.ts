import crypto from 'node:crypto';
import { CustomerGroup, GroupDayStat, GroupMember, type CustomerGroupDoc, type GroupMemberDoc } from '../../models/customer-group.js';
import { Customer, type CustomerDoc } from '../../models/customer.js';
import { Staff } from '../../models/staff.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { authorize, scopeOf, type Action } from '../../policies/permissions.js';
import { rolesFor, scopeFilter } from '../../policies/scopes.js';
import { systemContext, type ServiceContext } from '../context.js';
import { toObjectId } from '../ids.js';
import { isDuplicateKey, upsertRetryingOnce } from '../mongo-errors.js';
import { getOrgSettings } from '../org/settings.js';
import { assertStoreInOrg } from '../org/stores.js';
import { addCustomer, getCustomer } from '../customers/customers.js';
import { customerPhoneFields } from '../customers/phones.js';
import { appendTimeline } from '../customers/timeline.js';
import { recordAudit } from '../audit/record-audit.js';
import { dayPeriod } from '../limits/usage.js';
import { socialLimits } from '../../domain/settings.js';
import { clock } from '../../clock.js';
import { capOf } from '../../domain/group-cap.js';
import { mongoose } from '../../db/connect.js';

export type GroupInput = { name: string; notice?: string | undefined; storeId?: string | null | undefined; cap?: number | null | undefined };

/** Groups within reach: the actor's own, her store's, or the organisation's. */
function groupScope(ctx: ServiceContext, action: Extract<Action, 'group.read' | 'group.manage'>): Record<string, unknown> {
  return scopeFilter(ctx, action);
}

async function checkedFields(ctx: ServiceContext, input: GroupInput) {
  const name = input.name.trim();
  const notice = (input.notice ?? '').trim();
  const errors: Record<string, string[]> = {};
  if (!name) errors.name = ['required'];
  else if (name.length > socialLimits.groupNameMax) errors.name = ['too_long'];
  if (notice.length > socialLimits.groupNoticeMax) errors.notice = ['too_long'];
  const { groupMemberCap } = await getOrgSettings(ctx);
  if (input.cap != null && (!Number.isInteger(input.cap) || input.cap < 2 || input.cap > groupMemberCap)) errors.cap = ['out_of_range'];
  if (Object.keys(errors).length) throw new ValidationError(errors);
  return { name, notice, cap: input.cap ?? null };
}

export async function createGroup(ctx: ServiceContext, input: GroupInput): Promise<CustomerGroupDoc> {
  authorize(ctx.actor, 'group.manage');
  const fields = await checkedFields(ctx, input);
  // Organisation-wide roles choose the store; everyone else's groups belong to their own store.
  const storeId = scopeOf(ctx.actor, 'group.manage') === 'org' ? (input.storeId ?? ctx.actor.storeId) : ctx.actor.storeId;
  if (storeId) await assertStoreInOrg(ctx, storeId);
  const group = await CustomerGroup.create({
    ...fields,
    orgId: toObjectId(ctx.orgId),
    storeId: storeId ? toObjectId(storeId) : null,
    ownerId: toObjectId(ctx.actor.id),
    createdBy: toObjectId(ctx.actor.id),
    inviteKey: crypto.randomBytes(12).toString('base64url'),
  });
  return group.toObject();
}

export async function listGroups(ctx: ServiceContext, opts: { status?: 'active' | 'archived' } = {}): Promise<CustomerGroupDoc[]> {
  return CustomerGroup.find({ ...groupScope(ctx, 'group.read'), status: opts.status ?? 'active' })
    .sort({ createdAt: -1 })
    .limit(500)
    .lean<CustomerGroupDoc[]>();
}

export async function getGroup(
  ctx: ServiceContext,
  groupId: string,
  action: Extract<Action, 'group.read' | 'group.manage'> = 'group.read',
): Promise<CustomerGroupDoc> {
  const group = await CustomerGroup.findOne({ ...groupScope(ctx, action), _id: toObjectId(groupId, 'group') }).lean<CustomerGroupDoc>();
  if (!group) throw new NotFoundError('No such group');
  return group;
}

export async function updateGroup(ctx: ServiceContext, groupId: string, input: GroupInput): Promise<CustomerGroupDoc> {
  const group = await getGroup(ctx, groupId, 'group.manage');
  const fields = await checkedFields(ctx, input);
  const updated = await CustomerGroup.findOneAndUpdate(
    { _id: group._id, orgId: group.orgId },
    { $set: fields },
    { returnDocument: 'after' },
  ).lean<CustomerGroupDoc>();
  if (!updated) throw new NotFoundError('No such group');
  return updated;
}

async function countDay(group: Pick<CustomerGroupDoc, '_id' | 'orgId'>, field: 'joins' | 'leaves', timezone: string): Promise<void> {
  const day = dayPeriod(clock.now(), timezone).key;
  await upsertRetryingOnce(() => GroupDayStat.updateOne({ orgId: group.orgId, groupId: group._id, day }, { $inc: { [field]: 1 } }, { upsert: true }));
}

function groupFull(group: CustomerGroupDoc, cap: number): ConflictError {
  const followOnId = group.followOnId ? String(group.followOnId) : null;
  return new ConflictError('The group is full.', {
    code: 'group_full',
    messageKey: 'groups.errors.full',
    params: { cap },
    details: { cap, followOnGroupId: followOnId },
    extra: { followOnGroupId: followOnId },
  });
}

/**
 * Adds a customer to a group. A place is taken first by one conditional update (members below the cap), then the
 * membership is stored: concurrent joins can never push a group past its cap. Joining twice is harmless.
 */
async function admit(
  ctx: ServiceContext,
  group: CustomerGroupDoc,
  customerId: mongoose.Types.ObjectId,
  via: GroupMemberDoc['via'],
): Promise<{ joined: boolean }> {
  const settings = await getOrgSettings(ctx);
  const addedBy = ctx.actor.system ? null : ctx.actor.id;
  if (await GroupMember.exists({ groupId: group._id, customerId, orgId: group.orgId })) return { joined: false };
  const cap = capOf(group, settings.groupMemberCap);
  const taken = await CustomerGroup.updateOne(
    { _id: group._id, orgId: group.orgId, status: 'active', memberCount: { $lt: cap } },
    { $inc: { memberCount: 1 } },
  );
  if (taken.modifiedCount !== 1) {
    const current = await CustomerGroup.findOne({ _id: group._id, orgId: group.orgId }).lean<CustomerGroupDoc>();
    if (!current || current.status !== 'active') throw new NotFoundError('No such group');
    throw groupFull(current, cap);
  }
  try {
    await GroupMember.create({ orgId: group.orgId, groupId: group._id, customerId, via, addedBy: addedBy ? toObjectId(addedBy) : null, joinedAt: clock.now() });
  } catch (err) {
    await CustomerGroup.updateOne({ _id: group._id, orgId: group.orgId }, { $inc: { memberCount: -1 } });
    if (isDuplicateKey(err)) return { joined: false };
    throw err;
  }
  await countDay(group, 'joins', settings.timezone);
  await appendTimeline(ctx, customerId, 'group.joined', { groupId: String(group._id), groupName: group.name, via });
  return { joined: true };
}

/** Staff add a customer they may read (from the CRM list) to a group they manage. */
export async function addMember(ctx: ServiceContext, groupId: string, customerId: string): Promise<{ joined: boolean }> {
  const group = await getGroup(ctx, groupId, 'group.manage');
  if (group.status !== 'active') throw new NotFoundError('No such group');
  const customer = await getCustomer(ctx, customerId);
  return admit(ctx, group, customer._id, 'staff');
}

async function dropMember(group: CustomerGroupDoc, customerId: mongoose.Types.ObjectId, by: ServiceContext, how: 'left' | 'removed'): Promise<boolean> {
  const removed = await GroupMember.deleteOne({ orgId: group.orgId, groupId: group._id, customerId });
  if (removed.deletedCount !== 1) return false;
  await CustomerGroup.updateOne({ _id: group._id, orgId: group.orgId, memberCount: { $gt: 0 } }, { $inc: { memberCount: -1 } });
  const { timezone } = await getOrgSettings(by);
  await countDay(group, 'leaves', timezone);
  await appendTimeline(by, customerId, 'group.left', { groupId: String(group._id), groupName: group.name, how });
  return true;
}

export async function removeMember(ctx: ServiceContext, groupId: string, customerId: string): Promise<void> {
  const group = await getGroup(ctx, groupId, 'group.manage');
  if (!(await dropMember(group, toObjectId(customerId, 'member'), ctx, 'removed'))) throw new NotFoundError('No such member');
}

/** A customer leaves a group from the customer page. */
export async function leaveGroup(member: { orgId: string; customerId: string }, groupId: string): Promise<void> {
  const group = await CustomerGroup.findOne({ orgId: toObjectId(member.orgId), _id: toObjectId(groupId, 'group') }).lean<CustomerGroupDoc>();
  if (!group || !(await dropMember(group, toObjectId(member.customerId), systemContext(member.orgId), 'left'))) throw new NotFoundError('No such group');
}

export type MemberRow = { customerId: string; name: string; phoneTail: string; via: GroupMemberDoc['via']; joinedAt: Date };

export async function listMembers(
  ctx: ServiceContext,
  groupId: string,
  opts: { limit?: number; skip?: number } = {},
): Promise<{ group: CustomerGroupDoc; members: MemberRow[]; total: number }> {
  const group = await getGroup(ctx, groupId);
  const [rows, total] = await Promise.all([
    GroupMember.find({ orgId: group.orgId, groupId: group._id })
      .sort({ joinedAt: -1 })
      .skip(opts.skip ?? 0)
      .limit(Math.min(opts.limit ?? 100, 500))
      .lean<GroupMemberDoc[]>(),
    GroupMember.countDocuments({ orgId: group.orgId, groupId: group._id }),
  ]);
  const customers = await Customer.find({ orgId: group.orgId, _id: { $in: rows.map((r) => r.customerId) } }, { name: 1, phoneTail: 1, erasedAt: 1 }).lean();
  const byId = new Map(customers.map((c) => [String(c._id), c]));
  return {
    group,
    total,
    members: rows.map((r) => {
      const customer = byId.get(String(r.customerId));
      return {
        customerId: String(r.customerId),
        name: customer && !customer.erasedAt ? customer.name : '',
        phoneTail: customer && !customer.erasedAt ? customer.phoneTail : '',
        via: r.via,
        joinedAt: r.joinedAt,
      };
    }),
  };
}

/** The customers a group's posts go to. */
export async function memberIdsOf(group: Pick<CustomerGroupDoc, '_id' | 'orgId'>): Promise<mongoose.Types.ObjectId[]> {
  return (await GroupMember.find({ orgId: group.orgId, groupId: group._id }, { customerId: 1 }).lean()).map((m) => m.customerId);
}

/** The members of several groups, each customer once (a campaign's group posts reach a customer in two groups twice, but one customer). */
export async function memberIdsOfGroups(orgId: mongoose.Types.ObjectId, groupIds: mongoose.Types.ObjectId[]): Promise<mongoose.Types.ObjectId[]> {
  if (!groupIds.length) return [];
  const members = await GroupMember.find({ orgId, groupId: { $in: groupIds } }, { customerId: 1 }).lean();
  return [...new Map(members.map((m) => [String(m.customerId), m.customerId])).values()];
}

/** Joins and leaves per day, newest first. */
export async function groupDayStats(ctx: ServiceContext, groupId: string, days = 30): Promise<{ day: string; joins: number; leaves: number }[]> {
  const group = await getGroup(ctx, groupId);
  const rows = await GroupDayStat.find({ orgId: group.orgId, groupId: group._id }).sort({ day: -1 }).limit(days).lean();
  return rows.map((r) => ({ day: r.day, joins: r.joins, leaves: r.leaves }));
}

/**
 * A full group's successor: same owner, store, notice and cap, named "<name> 2" (3, ...). The invite link of the
 * full group then sends joiners on to it, so a link printed in the store keeps working.
 */
export async function createFollowOnGroup(ctx: ServiceContext, groupId: string): Promise<CustomerGroupDoc> {
  const group = await getGroup(ctx, groupId, 'group.manage');
  if (group.followOnId) {
    const existing = await CustomerGroup.findOne({ orgId: group.orgId, _id: group.followOnId }).lean<CustomerGroupDoc>();
    if (existing) return existing;
  }
  const match = /^(.*?)\s(\d+)$/.exec(group.name);
  const base = match ? match[1]! : group.name;
  const name = `${base} ${match ? Number(match[2]) + 1 : 2}`.slice(0, socialLimits.groupNameMax);
  const next = (
    await CustomerGroup.create({
      orgId: group.orgId,
      storeId: group.storeId ?? null,
      ownerId: group.ownerId,
      createdBy: toObjectId(ctx.actor.id),
      name,
      notice: group.notice,
      cap: group.cap ?? null,
      inviteKey: crypto.randomBytes(12).toString('base64url'),
    })
  ).toObject();
  const linked = await CustomerGroup.updateOne({ _id: group._id, orgId: group.orgId, followOnId: null }, { $set: { followOnId: next._id } });
  if (linked.modifiedCount !== 1) {
    // Someone else created one at the same moment: keep theirs.
    await CustomerGroup.deleteOne({ _id: next._id, orgId: group.orgId });
    return getGroup(ctx, String((await CustomerGroup.findOne({ _id: group._id, orgId: group.orgId }).lean())!.followOnId));
  }
  return next;
}

export async function archiveGroup(ctx: ServiceContext, groupId: string): Promise<void> {
  const group = await getGroup(ctx, groupId, 'group.manage');
  await CustomerGroup.updateOne({ _id: group._id, orgId: group.orgId }, { $set: { status: 'archived' } });
}

const MAX_FOLLOW_ON_HOPS = 10;

/** The group an invite key opens, following full groups on to their successors. */
export async function groupForInvite(inviteKey: string): Promise<{ group: CustomerGroupDoc; full: boolean; cap: number }> {
  if (typeof inviteKey !== 'string' || !/^[A-Za-z0-9_-]{10,40}$/.test(inviteKey)) throw new NotFoundError('No such group');
  let group = await CustomerGroup.findOne({ inviteKey, status: 'active' }).setOptions({ allOrgs: true }).lean<CustomerGroupDoc>();
  if (!group) throw new NotFoundError('No such group');
  const { groupMemberCap } = await getOrgSettings(systemContext(String(group.orgId)));
  for (let hop = 0; hop < MAX_FOLLOW_ON_HOPS && group.memberCount >= capOf(group, groupMemberCap) && group.followOnId; hop += 1) {
    const next: CustomerGroupDoc | null = await CustomerGroup.findOne({ orgId: group.orgId, _id: group.followOnId, status: 'active' }).lean<CustomerGroupDoc>();
    if (!next) break;
    group = next;
  }
  const cap = capOf(group, groupMemberCap);
  return { group, full: group.memberCount >= cap, cap };
}

/**
 * A customer joins through the invite page: the number links the CRM customer, or creates one for the group's
 * owner (source "online"). `created` says whether this join made the customer: only then may the page remember
 * the device as that customer, since typing a number proves nothing about who already owns it.
 */
export async function joinByInvite(
  inviteKey: string,
  input: { name: string; phone: string },
): Promise<{ group: CustomerGroupDoc; customer: CustomerDoc; joined: boolean; created: boolean }> {
  const { group, full, cap } = await groupForInvite(inviteKey);
  // A full group refuses before anything is stored: no CRM record for someone who could not join.
  if (full) throw groupFull(group, cap);
  const ctx = systemContext(String(group.orgId));
  const { customer, created } = await customerForJoin(ctx, group, input);
  const { joined } = await admit(ctx, group, customer._id, 'invite');
  return { group, customer, joined, created };
}

async function customerForJoin(
  ctx: ServiceContext,
  group: CustomerGroupDoc,
  input: { name: string; phone: string },
): Promise<{ customer: CustomerDoc; created: boolean }> {
  const { phone } = customerPhoneFields(input.phone);
  // Erasure replaces the number, so an erased customer never matches: their number starts afresh.
  const existing = await Customer.findOne({ orgId: group.orgId, phone, erasedAt: null }).lean<CustomerDoc>();
  if (existing) return { customer: existing, created: false };
  const ownerActive = await Staff.exists({ orgId: group.orgId, _id: group.ownerId, status: 'active', roles: { $in: rolesFor('customer.own') } });
  try {
    const customer = await addCustomer(ctx, {
      name: input.name,
      phone,
      gender: 'unknown',
      relatives: [],
      notes: '',
      source: 'online',
      tagIds: [],
      storeId: group.storeId ? String(group.storeId) : null,
      ownerId: ownerActive ? String(group.ownerId) : null,
    });
    return { customer, created: true };
  } catch (err) {
    // The same number joined at the same moment (a double tap): that customer it is, made by the other request.
    const again = await Customer.findOne({ orgId: group.orgId, phone, erasedAt: null }).lean<CustomerDoc>();
    if (again) return { customer: again, created: false };
    throw err;
  }
}

/** Groups the customer belongs to, for the customer page. */
export async function groupsOfMember(member: { orgId: string; customerId: string }): Promise<CustomerGroupDoc[]> {
  const orgId = toObjectId(member.orgId);
  const memberships = await GroupMember.find({ orgId, customerId: toObjectId(member.customerId) }, { groupId: 1 }).lean();
  return CustomerGroup.find({ orgId, _id: { $in: memberships.map((m) => m.groupId) }, status: 'active' })
    .sort({ name: 1 })
    .lean<CustomerGroupDoc[]>();
}

/** Groups follow their owner's customers when a departed clerk's whole book is transferred. */
export async function moveGroupsWithOwner(
  ctx: ServiceContext,
  fromStaffId: string,
  to: { staffId: mongoose.Types.ObjectId; storeId: mongoose.Types.ObjectId | null },
): Promise<number> {
  const moved = await CustomerGroup.updateMany(
    { orgId: toObjectId(ctx.orgId), ownerId: toObjectId(fromStaffId, 'staff') },
    { $set: { ownerId: to.staffId, storeId: to.storeId } },
  );
  if (moved.modifiedCount)
    await recordAudit(ctx, 'group.transfer', { type: 'staff', id: String(to.staffId) }, { groups: moved.modifiedCount, from: fromStaffId });
  return moved.modifiedCount;
}
