import { GroupMember } from '../../models/customer-group.js';
import { Store } from '../../models/store.js';
import { ConflictError } from '../../errors.js';
import { can, scopeOf } from '../../policies/permissions.js';
import { systemContext, type ServiceContext } from '../context.js';
import { toObjectId } from '../ids.js';
import { getOrganization, getOrgSettings } from '../org/settings.js';
import { listStoreChoices } from '../org/stores.js';
import { staffCardsById } from '../org/staff-cards.js';
import { listCustomers } from '../customers/customers.js';
import { addMember, getGroup, groupDayStats, groupForInvite, listGroups, listMembers } from './groups.js';
import { groupPostAllowance, groupPostReach, listGroupPosts } from './group-posts.js';
import type { CustomerDoc } from '../../models/customer.js';

// What the staff pages of groups read, gathered here so each page route makes one service call.

/** The groups list with what its create form needs. */
export async function groupsOverview(ctx: ServiceContext) {
  const [groups, settings, stores] = await Promise.all([listGroups(ctx), getOrgSettings(ctx), listStoreChoices(ctx)]);
  return {
    groups,
    orgCap: settings.groupMemberCap,
    storeNames: new Map(stores.map((s) => [String(s._id), s.name])),
    canManage: can(ctx.actor, 'group.manage'),
    // Organisation-wide roles choose the store of a new group; everyone else's groups belong to their own store.
    storeChoices: scopeOf(ctx.actor, 'group.manage') === 'org' ? stores : [],
  };
}

const CANDIDATES_PER_SEARCH = 50;

/**
 * One group's page: members, joins and leaves per day, the post allowance and posts, and for those who manage it
 * the CRM customers within reach (searched by `q`) to add, each marked when already a member.
 */
export async function groupDetail(ctx: ServiceContext, groupId: string, opts: { q?: string | undefined } = {}) {
  const group = await getGroup(ctx, groupId);
  const canManage =
    group.status === 'active' && can(ctx.actor, 'group.manage', { ownerId: String(group.ownerId), storeId: group.storeId ? String(group.storeId) : null });
  const [settings, stores, members, dayStats, allowance, posts, candidates, reach] = await Promise.all([
    getOrgSettings(ctx),
    listStoreChoices(ctx),
    listMembers(ctx, groupId),
    groupDayStats(ctx, groupId),
    groupPostAllowance(ctx, group),
    listGroupPosts(ctx, groupId),
    canManage
      ? listCustomers(ctx, { q: opts.q ?? '', tags: [], match: 'all', owner: null, store: null, sort: 'name', page: 1, limit: CANDIDATES_PER_SEARCH })
      : Promise.resolve({ items: [] as CustomerDoc[], total: 0 }),
    canManage ? groupPostReach(ctx, groupId).then((answer) => answer.reach) : Promise.resolve(null),
  ]);
  const already = candidates.items.length
    ? await GroupMember.find({ orgId: group.orgId, groupId: group._id, customerId: { $in: candidates.items.map((c) => c._id) } }, { customerId: 1 }).lean()
    : [];
  return {
    group,
    orgCap: settings.groupMemberCap,
    storeNames: new Map(stores.map((s) => [String(s._id), s.name])),
    canManage,
    members,
    dayStats,
    allowance,
    reach,
    posts,
    candidates: { items: candidates.items, total: candidates.total, memberIds: new Set(already.map((m) => String(m.customerId))) },
  };
}

export type AddMembersResult = { added: number; already: number };

/**
 * Adds customers chosen from the CRM list one by one. When the group fills up on the way, the ones added stay and
 * the refusal names the cap and how many were added, so the page can say exactly what happened.
 */
export async function addMembers(ctx: ServiceContext, groupId: string, customerIds: string[]): Promise<AddMembersResult> {
  const result: AddMembersResult = { added: 0, already: 0 };
  for (const customerId of new Set(customerIds)) {
    try {
      const { joined } = await addMember(ctx, groupId, customerId);
      if (joined) result.added += 1;
      else result.already += 1;
    } catch (err) {
      if (!(err instanceof ConflictError) || err.code !== 'group_full' || result.added + result.already === 0) throw err;
      throw new ConflictError(err.message, {
        code: 'group_full',
        messageKey: 'groups.errors.fullAfterAdding',
        params: { ...err.messageParams, ...result },
        details: { ...err.details, ...result },
        extra: err.extra,
      });
    }
  }
  return result;
}

/** The public invite page: the group the key opens now (following full groups on), its store, brand and owner's staff card. */
export async function invitePage(inviteKey: string) {
  const { group, full, cap } = await groupForInvite(inviteKey);
  const [org, store, ownerCards] = await Promise.all([
    getOrganization(systemContext(String(group.orgId))),
    group.storeId ? Store.findOne({ orgId: group.orgId, _id: toObjectId(group.storeId) }, { name: 1 }).lean() : Promise.resolve(null),
    staffCardsById(group.orgId, [group.ownerId]),
  ]);
  return { group, full, cap, storeName: store?.name ?? '', orgName: org.name, ownerCard: ownerCards.get(String(group.ownerId)) ?? null };
}
