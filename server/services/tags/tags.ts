import { Tag, TagGroup, type TagDoc, type TagGroupDoc } from '../../models/tag.js';
import { Customer } from '../../models/customer.js';
import { Organization } from '../../models/organization.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { authorize } from '../../policies/permissions.js';
import type { ServiceContext } from '../context.js';
import { toObjectId } from '../ids.js';
import { isDuplicateKey } from '../mongo-errors.js';
import { getOrgSettings } from '../org/settings.js';
import { mongoose } from '../../db/connect.js';

/** Tags an actor may see and use: the organisation's enterprise tags and their own personal tags. */
export function usableTagFilter(ctx: ServiceContext): Record<string, unknown> {
  // The system actor (jobs, the public invite page) has no personal tags: its id is no ObjectId.
  return { orgId: toObjectId(ctx.orgId), $or: [{ ownerId: null }, ...(ctx.actor.system ? [] : [{ ownerId: toObjectId(ctx.actor.id) }])] };
}

export type TagGroupWithTags = TagGroupDoc & { tags: TagDoc[] };

export async function listTagGroups(ctx: ServiceContext): Promise<{ groups: TagGroupWithTags[]; personal: TagDoc[] }> {
  const orgId = toObjectId(ctx.orgId);
  const [groups, tags] = await Promise.all([
    TagGroup.find({ orgId }).sort({ order: 1, name: 1 }).lean<TagGroupDoc[]>(),
    Tag.find(usableTagFilter(ctx)).sort({ order: 1, name: 1 }).lean<TagDoc[]>(),
  ]);
  return {
    groups: groups.map((group) => ({ ...group, tags: tags.filter((tag) => String(tag.groupId) === String(group._id)) })),
    personal: tags.filter((tag) => tag.ownerId),
  };
}

/** Reserves room for `count` more enterprise tags in one conditional update, so concurrent creations never pass the cap. */
async function reserveEnterpriseTags(ctx: ServiceContext, count: number): Promise<(unused?: number) => Promise<void>> {
  if (count === 0) return async () => undefined;
  const { maxEnterpriseTags } = await getOrgSettings(ctx);
  const orgId = toObjectId(ctx.orgId);
  const reserved = await Organization.updateOne(
    { _id: orgId, $or: [{ 'counters.enterpriseTags': { $lte: maxEnterpriseTags - count } }, { 'counters.enterpriseTags': { $exists: false } }] },
    { $inc: { 'counters.enterpriseTags': count } },
  );
  if (reserved.modifiedCount === 0) {
    throw new ConflictError(`At most ${maxEnterpriseTags} enterprise tags.`, {
      code: 'tag_limit',
      messageKey: 'errors.tag_limit',
      params: { max: maxEnterpriseTags },
    });
  }
  return async (unused = count) => {
    if (unused > 0) await Organization.updateOne({ _id: orgId }, { $inc: { 'counters.enterpriseTags': -unused } });
  };
}

function tagNameConflict(err: unknown): unknown {
  return isDuplicateKey(err)
    ? new ConflictError('A tag with this name already exists here.', {
        code: 'tag_name_taken',
        messageKey: 'errors.tag_name_taken',
        details: { fields: { name: ['taken'] } },
      })
    : err;
}

export async function createTagGroup(ctx: ServiceContext, input: { name: string; color: string; tags: string[] }): Promise<TagGroupWithTags> {
  authorize(ctx.actor, 'tag.manage');
  const names = [...new Set(input.tags)];
  const release = await reserveEnterpriseTags(ctx, names.length);
  const orgId = toObjectId(ctx.orgId);
  let group: TagGroupDoc | undefined;
  try {
    const order = await TagGroup.countDocuments({ orgId });
    group = (await TagGroup.create({ orgId, name: input.name, color: input.color, order })).toObject();
    const tags = await Tag.insertMany(names.map((name, i) => ({ orgId, groupId: group!._id, name, order: i })));
    return { ...group, tags: tags.map((tag) => tag.toObject()) };
  } catch (err) {
    await release();
    if (group) await TagGroup.deleteOne({ _id: group._id, orgId });
    throw tagNameConflict(err);
  }
}

export async function addTagsToGroup(ctx: ServiceContext, groupId: string, names: string[]): Promise<TagDoc[]> {
  authorize(ctx.actor, 'tag.manage');
  const orgId = toObjectId(ctx.orgId);
  const group = await TagGroup.findOne({ _id: toObjectId(groupId, 'tag group'), orgId }).lean();
  if (!group) throw new NotFoundError('No such tag group');
  const unique = [...new Set(names)];
  if (await Tag.exists({ orgId, groupId: group._id, ownerId: null, name: { $in: unique } })) throw tagNameConflict({ code: 11000 });
  const release = await reserveEnterpriseTags(ctx, unique.length);
  try {
    const order = await Tag.countDocuments({ orgId, groupId: group._id });
    const tags = await Tag.insertMany(
      unique.map((name, i) => ({ orgId, groupId: group._id, name, order: order + i })),
      { ordered: false },
    );
    return tags.map((tag) => tag.toObject());
  } catch (err) {
    // A name added meanwhile: the tags that did go in keep their reservation.
    await release(unique.length - ((err as { insertedDocs?: unknown[] }).insertedDocs?.length ?? 0));
    throw tagNameConflict(err);
  }
}

export async function createPersonalTag(ctx: ServiceContext, name: string): Promise<TagDoc> {
  authorize(ctx.actor, 'tag.personal');
  try {
    return (await Tag.create({ orgId: toObjectId(ctx.orgId), ownerId: toObjectId(ctx.actor.id), groupId: null, name })).toObject();
  } catch (err) {
    throw tagNameConflict(err);
  }
}

/** An enterprise tag is managed by admins and marketers; a personal tag only by its owner. */
async function getManageableTag(ctx: ServiceContext, tagId: string): Promise<TagDoc> {
  const tag = await Tag.findOne({ ...usableTagFilter(ctx), _id: toObjectId(tagId, 'tag') }).lean<TagDoc>();
  if (!tag) throw new NotFoundError('No such tag');
  authorize(ctx.actor, tag.ownerId ? 'tag.personal' : 'tag.manage');
  return tag;
}

/** Customers hold tag ids, so a rename shows everywhere at once. */
export async function renameTag(ctx: ServiceContext, tagId: string, name: string): Promise<TagDoc> {
  const tag = await getManageableTag(ctx, tagId);
  try {
    const renamed = await Tag.findOneAndUpdate({ _id: tag._id, orgId: tag.orgId }, { $set: { name } }, { returnDocument: 'after' }).lean<TagDoc>();
    if (!renamed) throw new NotFoundError('No such tag');
    return renamed;
  } catch (err) {
    throw tagNameConflict(err);
  }
}

export async function countCustomersWithTag(ctx: ServiceContext, tagId: string): Promise<{ tag: TagDoc; customers: number }> {
  const tag = await getManageableTag(ctx, tagId);
  return { tag, customers: await Customer.countDocuments({ orgId: tag.orgId, tagIds: tag._id }) };
}

/** Removes the tag from every customer, then the tag itself; answers how many customers carried it. */
export async function deleteTag(ctx: ServiceContext, tagId: string): Promise<{ customers: number }> {
  const tag = await getManageableTag(ctx, tagId);
  const untagged = await Customer.updateMany({ orgId: tag.orgId, tagIds: tag._id }, { $pull: { tagIds: tag._id } });
  const deleted = await Tag.deleteOne({ _id: tag._id, orgId: tag.orgId });
  if (deleted.deletedCount && !tag.ownerId) await Organization.updateOne({ _id: tag.orgId }, { $inc: { 'counters.enterpriseTags': -1 } });
  return { customers: untagged.modifiedCount };
}

/**
 * Checks tag ids from a form or body: each must be an enterprise tag of the organisation or the actor's own
 * personal tag. Anything else (unknown, another organisation's, a colleague's personal tag) is a field error.
 */
export async function resolveUsableTagIds(ctx: ServiceContext, ids: string[], field = 'tagIds'): Promise<mongoose.Types.ObjectId[]> {
  const unique = [...new Set(ids)];
  if (!unique.length) return [];
  if (unique.some((id) => !mongoose.isObjectIdOrHexString(id))) throw new ValidationError({ [field]: ['unknown_tag'] });
  const objectIds = unique.map((id) => toObjectId(id));
  const found = await Tag.countDocuments({ ...usableTagFilter(ctx), _id: { $in: objectIds } });
  if (found !== objectIds.length) throw new ValidationError({ [field]: ['unknown_tag'] });
  return objectIds;
}

export async function tagNamesFor(ctx: ServiceContext, tagIds: mongoose.Types.ObjectId[]): Promise<Map<string, string>> {
  if (tagIds.length === 0) return new Map();
  const tags = await Tag.find({ ...usableTagFilter(ctx), _id: { $in: tagIds } }, { name: 1 }).lean();
  return new Map(tags.map((tag) => [String(tag._id), tag.name]));
}

export async function updateTagGroup(
  ctx: ServiceContext,
  groupId: string,
  input: { name?: string | undefined; color?: string | undefined },
): Promise<TagGroupDoc> {
  authorize(ctx.actor, 'tag.manage');
  const set = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  try {
    const group = await TagGroup.findOneAndUpdate(
      { _id: toObjectId(groupId, 'tag group'), orgId: toObjectId(ctx.orgId) },
      { $set: set },
      { returnDocument: 'after' },
    ).lean<TagGroupDoc>();
    if (!group) throw new NotFoundError('No such tag group');
    return group;
  } catch (err) {
    throw tagNameConflict(err);
  }
}

/** Moves a group one place up or down, renumbering the groups so the order stays dense. */
export async function moveTagGroup(ctx: ServiceContext, groupId: string, direction: 'up' | 'down'): Promise<void> {
  authorize(ctx.actor, 'tag.manage');
  const orgId = toObjectId(ctx.orgId);
  const groups = await TagGroup.find({ orgId }, { _id: 1 }).sort({ order: 1, name: 1 }).lean();
  const index = groups.findIndex((g) => String(g._id) === groupId);
  if (index < 0) throw new NotFoundError('No such tag group');
  const target = direction === 'up' ? index - 1 : index + 1;
  if (target < 0 || target >= groups.length) return;
  [groups[index], groups[target]] = [groups[target]!, groups[index]!];
  await TagGroup.bulkWrite(groups.map((g, order) => ({ updateOne: { filter: { _id: g._id, orgId }, update: { $set: { order } } } })));
}
