import type { CustomerGroupDoc } from '../../models/customer-group.js';
import type { Reach } from '../limits/contact-budget.js';
import type { ServiceContext } from '../context.js';
import { getOrgSettings } from '../org/settings.js';
import { listStoreChoices } from '../org/stores.js';
import { withAuthorNames, type MomentListItem } from '../moments/moments.js';
import type { DraftInput } from '../posts/draft.js';
import { archiveGroup, createFollowOnGroup, createGroup, getGroup, listGroups, updateGroup, type GroupInput } from './groups.js';
import { groupPostAllowance, publishGroupPost, type GroupPostAllowance } from './group-posts.js';

// What the groups API answers with, gathered here so each API route makes one service call (the pages' own
// gathering is in group-page.ts).

/** Groups with what presenting them needs: the organisation's cap (a group's own applies within it) and store names. */
export type GroupsAnswer = { groups: CustomerGroupDoc[]; orgCap: number; storeNames: Map<string, string> };
export type GroupAnswer = { group: CustomerGroupDoc; orgCap: number; storeNames: Map<string, string> };

async function answerFor(ctx: ServiceContext, groups: CustomerGroupDoc[]): Promise<GroupsAnswer> {
  const [settings, stores] = await Promise.all([getOrgSettings(ctx), listStoreChoices(ctx)]);
  return { groups, orgCap: settings.groupMemberCap, storeNames: new Map(stores.map((s) => [String(s._id), s.name])) };
}

async function answerForOne(ctx: ServiceContext, group: CustomerGroupDoc): Promise<GroupAnswer> {
  const { orgCap, storeNames } = await answerFor(ctx, []);
  return { group, orgCap, storeNames };
}

export async function groupsAnswer(ctx: ServiceContext, opts: { status?: 'active' | 'archived' } = {}): Promise<GroupsAnswer> {
  return answerFor(ctx, await listGroups(ctx, opts));
}

export async function groupAnswer(ctx: ServiceContext, groupId: string): Promise<GroupAnswer> {
  return answerForOne(ctx, await getGroup(ctx, groupId));
}

export async function createGroupAnswer(ctx: ServiceContext, input: GroupInput): Promise<GroupAnswer> {
  return answerForOne(ctx, await createGroup(ctx, input));
}

/** What a PATCH keeps of a group when the body leaves a field out; a `cap` left out keeps the group's own (or none). */
export type KeptGroupFields = { name: string; notice: string; cap: number | undefined };

/**
 * Changes a group from a partial body. The group is read first (not found or not the actor's to manage comes before
 * anything about the body), then `parse` checks the body laid over what it keeps, so the whole is validated as one.
 */
export async function changeGroupAnswer(ctx: ServiceContext, groupId: string, parse: (kept: KeptGroupFields) => GroupInput): Promise<GroupAnswer> {
  const current = await getGroup(ctx, groupId, 'group.manage');
  const input = parse({ name: current.name, notice: current.notice, cap: current.cap ?? undefined });
  return answerForOne(ctx, await updateGroup(ctx, String(current._id), input));
}

/** Archives a group and answers with it as it is now. */
export async function archiveGroupAnswer(ctx: ServiceContext, groupId: string): Promise<GroupAnswer> {
  await archiveGroup(ctx, groupId);
  return groupAnswer(ctx, groupId);
}

export async function followOnGroupAnswer(ctx: ServiceContext, groupId: string): Promise<GroupAnswer> {
  return answerForOne(ctx, await createFollowOnGroup(ctx, groupId));
}

export async function groupAllowanceAnswer(ctx: ServiceContext, groupId: string): Promise<GroupPostAllowance> {
  return groupPostAllowance(ctx, await getGroup(ctx, groupId));
}

/** A group post as lists show it: with its author's name. */
export async function publishGroupPostWithAuthor(ctx: ServiceContext, groupId: string, input: DraftInput): Promise<MomentListItem & { reach: Reach }> {
  const post = await publishGroupPost(ctx, groupId, input);
  const [withName] = await withAuthorNames(ctx.orgId, [post]);
  return { ...withName!, reach: post.reach };
}
