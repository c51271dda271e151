import { Campaign, CampaignTask, type CampaignDoc, type CampaignTaskDoc, type CampaignTaskStatus } from '../../models/campaign.js';
import { CustomerGroup } from '../../models/customer-group.js';
import { Staff } from '../../models/staff.js';
import { Store } from '../../models/store.js';
import { Tag } from '../../models/tag.js';
import { SocialPost, type PostKind, type SocialPostDoc } from '../../models/social-post.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { authorize } from '../../policies/permissions.js';
import { recordFields, scopeFilter } from '../../policies/scopes.js';
import type { ServiceContext } from '../context.js';
import { toObjectId } from '../ids.js';
import { insertNewDocuments } from '../../db/bulk-insert.js';
import { resolveUsableTagIds } from '../tags/tags.js';
import { recordAudit } from '../audit/record-audit.js';
import { checkDraft, withStoredImages, type DraftInput } from '../posts/draft.js';
import { deleteImages, imageUploader, markImagesAttached } from '../media/media.js';
import { momentAudienceOf, publishMoment } from '../moments/moments.js';
import { publishGroupPost } from '../groups/group-posts.js';
import { memberIdsOfGroups } from '../groups/groups.js';
import { channelOf, heldBackReasons, type PublishedPost } from '../posts/publish.js';
import { previewTouches, type Reach } from '../limits/contact-budget.js';
import { clock } from '../../clock.js';
import { staffNamesById } from '../names.js';
import { DateTime } from 'luxon';
import { getOrgSettings } from '../org/settings.js';
import { socialLimits } from '../../domain/settings.js';
import { mongoose } from '../../db/connect.js';

/** `publishAt`: an instant, or a local date and time (`2026-12-01T10:00`, as a form's datetime field sends) in the organisation's timezone. */
export type CampaignInput = DraftInput & { kind: PostKind; title: string; storeIds: string[]; tagIds: string[]; publishAt: Date | string };

function parsePublishAt(value: Date | string, timezone: string): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  const hasOffset = /(Z|[+-]\d{2}:?\d{2})$/.test(value);
  const parsed = DateTime.fromISO(value, hasOffset ? { setZone: true } : { zone: timezone });
  return parsed.isValid ? parsed.toJSDate() : null;
}

/** Targets named by id must be the organisation's; tags are enterprise tags (a clerk's personal tags mean nothing to others). */
async function checkTargets(ctx: ServiceContext, input: Pick<CampaignInput, 'kind' | 'storeIds' | 'tagIds' | 'publishAt' | 'title'>) {
  const errors: Record<string, string[]> = {};
  const title = input.title.trim();
  if (!title) errors.title = ['required'];
  else if (title.length > socialLimits.campaignTitleMax) errors.title = ['too_long'];
  const publishAt = parsePublishAt(input.publishAt, (await getOrgSettings(ctx)).timezone);
  if (!publishAt) errors.publishAt = ['invalid_date'];
  else if (publishAt.getTime() <= clock.now().getTime()) errors.publishAt = ['in_past'];
  if (input.kind === 'group' && input.tagIds.length) errors.tagIds = ['not_for_groups'];
  const storeIds = [...new Set(input.storeIds)];
  if (storeIds.some((id) => !mongoose.isObjectIdOrHexString(id))) errors.storeIds = ['unknown_store'];
  else if (
    storeIds.length &&
    (await Store.countDocuments({ orgId: toObjectId(ctx.orgId), _id: { $in: storeIds.map((id) => toObjectId(id)) } })) !== storeIds.length
  )
    errors.storeIds = ['unknown_store'];
  if (Object.keys(errors).length) throw new ValidationError(errors);
  const tagIds = await resolveUsableTagIds(ctx, input.tagIds);
  // The marketer's own personal tags pass the usable check but would fail every clerk's publish later.
  if (tagIds.length && (await Tag.countDocuments({ orgId: toObjectId(ctx.orgId), _id: { $in: tagIds }, ownerId: null })) !== tagIds.length)
    throw new ValidationError({ tagIds: ['unknown_tag'] });
  return { title, storeIds: storeIds.map((id) => toObjectId(id)), tagIds, publishAt: publishAt! };
}

export async function createCampaign(ctx: ServiceContext, input: CampaignInput): Promise<CampaignDoc> {
  authorize(ctx.actor, 'campaign.manage');
  const targets = await checkTargets(ctx, input);
  await assertOwnPictures(ctx, input.imageIds ?? [], []);
  const draft = await checkDraft(ctx, input);
  const campaign = await withStoredImages(
    ctx,
    draft,
    async () => undefined,
    async (imageIds) => {
      await markImagesAttached(ctx.orgId, imageIds);
      return (
        await Campaign.create({
          orgId: toObjectId(ctx.orgId),
          kind: input.kind,
          ...targets,
          text: draft.text,
          link: draft.link,
          imageIds,
          createdBy: toObjectId(ctx.actor.id),
        })
      ).toObject<CampaignDoc>();
    },
  );
  await recordAudit(
    ctx,
    'campaign.create',
    { type: 'campaign', id: String(campaign._id) },
    { kind: campaign.kind, publishAt: campaign.publishAt.toISOString() },
  );
  return campaign;
}

function campaignScope(ctx: ServiceContext): Record<string, unknown> {
  // A store manager follows the campaigns that reach her store (or every store).
  return scopeFilter(ctx, 'campaign.read', recordFields.campaign);
}

export async function listCampaigns(ctx: ServiceContext): Promise<CampaignDoc[]> {
  return Campaign.find(campaignScope(ctx)).sort({ publishAt: -1 }).limit(200).lean<CampaignDoc[]>();
}

export async function getCampaign(ctx: ServiceContext, id: string): Promise<CampaignDoc> {
  const campaign = await Campaign.findOne({ ...campaignScope(ctx), _id: toObjectId(id, 'campaign') }).lean<CampaignDoc>();
  if (!campaign) throw new NotFoundError('No such campaign');
  return campaign;
}

/** Scheduled and its time not yet come: the only state in which a campaign may still change. */
export function campaignIsOpen(campaign: Pick<CampaignDoc, 'status' | 'publishAt'>): boolean {
  return campaign.status === 'scheduled' && campaign.publishAt.getTime() > clock.now().getTime();
}

function changedMeanwhile(): ConflictError {
  return new ConflictError('The campaign was changed by someone else; reload it and edit again.', {
    code: 'campaign_changed',
    messageKey: 'campaigns.errors.changed',
  });
}

function notEditable(): ConflictError {
  return new ConflictError('The campaign has already been published or cancelled.', { code: 'campaign_closed', messageKey: 'campaigns.errors.closed' });
}

/**
 * Changes a campaign that has not fired yet. The update only applies while it is scheduled and its time has not
 * come, in the same operation, so an edit can never race the firing job into a half-changed campaign.
 */
export async function updateCampaign(ctx: ServiceContext, id: string, input: CampaignInput): Promise<CampaignDoc> {
  authorize(ctx.actor, 'campaign.manage');
  const current = await getCampaign(ctx, id);
  // A fired campaign's time is past: say it is closed rather than that the (unchanged) time is in the past.
  if (!campaignIsOpen(current)) throw notEditable();
  const targets = await checkTargets(ctx, input);
  await assertOwnPictures(ctx, input.imageIds ?? [], current.imageIds);
  const draft = await checkDraft(ctx, input);
  const updated = await withStoredImages(
    ctx,
    draft,
    async () => undefined,
    async (imageIds) => {
      await markImagesAttached(ctx.orgId, imageIds);
      const result = await Campaign.findOneAndUpdate(
        // As read: an edit made meanwhile by someone else is not overwritten (nor its pictures removed from under it).
        { _id: current._id, orgId: current.orgId, status: 'scheduled', publishAt: { $gt: clock.now() }, updatedAt: current.updatedAt },
        { $set: { kind: input.kind, ...targets, text: draft.text, link: draft.link, imageIds } },
        { returnDocument: 'after' },
      ).lean<CampaignDoc>();
      if (!result) throw campaignIsOpen(await getCampaign(ctx, id)) ? changedMeanwhile() : notEditable();
      return result;
    },
  );
  const kept = new Set(updated.imageIds.map(String));
  await deleteUnusedPictures(
    current,
    current.imageIds.filter((imageId) => !kept.has(String(imageId))),
  );
  await recordAudit(ctx, 'campaign.update', { type: 'campaign', id }, { publishAt: updated.publishAt.toISOString() });
  return updated;
}

export async function cancelCampaign(ctx: ServiceContext, id: string): Promise<void> {
  authorize(ctx.actor, 'campaign.manage');
  const current = await getCampaign(ctx, id);
  const result = await Campaign.updateOne(
    { _id: current._id, orgId: current.orgId, status: 'scheduled', publishAt: { $gt: clock.now() } },
    { $set: { status: 'cancelled' } },
  );
  if (result.modifiedCount !== 1) throw notEditable();
  await deleteUnusedPictures(current, current.imageIds);
  await recordAudit(ctx, 'campaign.cancel', { type: 'campaign', id });
}

/**
 * A campaign shows pictures the marketer uploaded for it, or kept from its own earlier version: never another
 * campaign's or post's, whose pictures would otherwise go when this campaign is edited or cancelled.
 */
async function assertOwnPictures(ctx: ServiceContext, imageIds: string[], current: mongoose.Types.ObjectId[]): Promise<void> {
  const kept = new Set(current.map(String));
  for (const imageId of imageIds) {
    if (kept.has(imageId)) continue;
    if ((await imageUploader(ctx.orgId, imageId)) !== ctx.actor.id) throw new ValidationError({ imageIds: ['unknown_image'] });
  }
}

/** Pictures a campaign no longer shows, removed unless a post or another campaign shows them. */
async function deleteUnusedPictures(campaign: Pick<CampaignDoc, '_id' | 'orgId'>, imageIds: mongoose.Types.ObjectId[]): Promise<void> {
  const unused: mongoose.Types.ObjectId[] = [];
  for (const imageId of imageIds) {
    const inUse =
      (await SocialPost.exists({ orgId: campaign.orgId, imageIds: imageId })) ||
      (await Campaign.exists({ orgId: campaign.orgId, _id: { $ne: campaign._id }, imageIds: imageId }));
    if (!inUse) unused.push(imageId);
  }
  await deleteImages(String(campaign.orgId), unused);
}

type TaskTarget = { staffId: mongoose.Types.ObjectId; storeId: mongoose.Types.ObjectId | null; groupId: mongoose.Types.ObjectId | null };

/** Who gets a task: every active clerk of the target stores (moments), or the owner of each active group there. */
async function taskTargets(campaign: Pick<CampaignDoc, 'orgId' | 'kind' | 'storeIds'>): Promise<TaskTarget[]> {
  const inStores = campaign.storeIds.length ? { storeId: { $in: campaign.storeIds } } : {};
  if (campaign.kind === 'group') {
    const groups = await CustomerGroup.find({ orgId: campaign.orgId, status: 'active', ...inStores }, { ownerId: 1, storeId: 1 }).lean();
    return groups.map((g) => ({ staffId: g.ownerId, storeId: g.storeId ?? null, groupId: g._id }));
  }
  const clerks = await Staff.find({ orgId: campaign.orgId, status: 'active', roles: 'clerk', ...inStores }, { storeId: 1 }).lean();
  return clerks.map((s) => ({ staffId: s._id, storeId: s.storeId ?? null, groupId: null }));
}

/** A campaign's reach as of a moment before it goes out: clerks publish it later, when their customers' day may differ. */
export type CampaignReach = Reach & { asOf: Date; targets: number; timezone: string };

/**
 * Who the campaign's posts would reach if every task were published now, asked of the contact budget that decides
 * delivery: the customers of the target stores' clerks (moments, with the tags), or the members of the groups there.
 */
async function reachOfTargets(ctx: ServiceContext, campaign: Pick<CampaignDoc, 'orgId' | 'kind' | 'storeIds' | 'tagIds'>): Promise<CampaignReach> {
  const [targets, settings] = await Promise.all([taskTargets(campaign), getOrgSettings(ctx)]);
  const audience =
    campaign.kind === 'group'
      ? await memberIdsOfGroups(
          campaign.orgId,
          targets.flatMap((t) => (t.groupId ? [t.groupId] : [])),
        )
      : await momentAudienceOf(
          campaign.orgId,
          targets.map((t) => t.staffId),
          campaign.tagIds,
        );
  return {
    ...(await previewTouches(campaign.orgId, audience, channelOf[campaign.kind], settings)),
    asOf: clock.now(),
    targets: targets.length,
    timezone: settings.timezone,
  };
}

/** The reach of a campaign being written, as of now: unknown stores and tags other than the organisation's enterprise tags count for nothing. */
export async function previewCampaignReach(ctx: ServiceContext, input: { kind: PostKind; storeIds: string[]; tagIds: string[] }): Promise<CampaignReach> {
  authorize(ctx.actor, 'campaign.manage');
  const orgId = toObjectId(ctx.orgId);
  const ids = (list: string[]) => [...new Set(list)].filter((id) => mongoose.isObjectIdOrHexString(id)).map((id) => toObjectId(id));
  const [stores, tags] = await Promise.all([
    input.storeIds.length ? Store.find({ orgId, _id: { $in: ids(input.storeIds) } }, { _id: 1 }).lean() : Promise.resolve([]),
    input.kind === 'moment' && input.tagIds.length
      ? Tag.find({ orgId, ownerId: null, _id: { $in: ids(input.tagIds) } }, { _id: 1 }).lean()
      : Promise.resolve([]),
  ]);
  // Stores or tags chosen but none of them known reach nobody, rather than every store or customer.
  if ((input.storeIds.length && !stores.length) || (input.kind === 'moment' && input.tagIds.length && !tags.length)) {
    return {
      audience: 0,
      reached: 0,
      heldBack: 0,
      heldBackBy: { customer_cap: 0, contact_budget: 0 },
      asOf: clock.now(),
      targets: 0,
      timezone: (await getOrgSettings(ctx)).timezone,
    };
  }
  return reachOfTargets(ctx, { orgId, kind: input.kind, storeIds: stores.map((s) => s._id), tagIds: tags.map((t) => t._id) });
}

/** A saved campaign's reach, as of now. */
export async function campaignReach(ctx: ServiceContext, id: string): Promise<CampaignReach> {
  const campaign = await getCampaign(ctx, id);
  return reachOfTargets(ctx, campaign);
}

/**
 * Fires one due campaign: a task per target, keyed by campaign, clerk and group, so a second process or a rerun
 * after a crash adds nothing; then the campaign is marked fired (once, by whoever gets there first).
 */
async function fireCampaign(campaign: CampaignDoc): Promise<number> {
  const targets = await taskTargets(campaign);
  // One unordered insert for every clerk of every store: a task already there (a rerun, another process) is a duplicate key, left as it is.
  const { inserted: created } = await insertNewDocuments(
    CampaignTask,
    targets.map((target) => ({
      orgId: campaign.orgId,
      campaignId: campaign._id,
      key: `${String(campaign._id)}:${String(target.staffId)}:${target.groupId ? String(target.groupId) : '-'}`,
      ...target,
    })),
  );
  const tasks = await CampaignTask.countDocuments({ orgId: campaign.orgId, campaignId: campaign._id });
  await Campaign.updateOne(
    { _id: campaign._id, orgId: campaign.orgId, status: 'scheduled' },
    { $set: { status: 'fired', firedAt: clock.now(), tasksCreated: tasks } },
  );
  return created;
}

/** The job's work: every campaign whose time has come, across organisations. */
export async function fireDueCampaigns(): Promise<{ campaigns: number; tasks: number }> {
  const due = await Campaign.find({ status: 'scheduled', publishAt: { $lte: clock.now() } })
    .setOptions({ allOrgs: true })
    .sort({ publishAt: 1 })
    .limit(100)
    .lean<CampaignDoc[]>();
  let tasks = 0;
  for (const campaign of due) tasks += await fireCampaign(campaign);
  return { campaigns: due.length, tasks };
}

export type TaskView = CampaignTaskDoc & { campaign: CampaignDoc; groupName: string | null };

/** A clerk's campaign tasks, open first. */
export async function listMyCampaignTasks(ctx: ServiceContext, opts: { status?: CampaignTaskStatus } = {}): Promise<TaskView[]> {
  authorize(ctx.actor, 'campaign.task');
  const orgId = toObjectId(ctx.orgId);
  const tasks = await CampaignTask.find({ orgId, staffId: toObjectId(ctx.actor.id), ...(opts.status ? { status: opts.status } : {}) })
    .sort({ createdAt: -1 })
    .limit(100)
    .lean<CampaignTaskDoc[]>();
  const [campaigns, groups] = await Promise.all([
    Campaign.find({ orgId, _id: { $in: tasks.map((t) => t.campaignId) } }).lean<CampaignDoc[]>(),
    CustomerGroup.find({ orgId, _id: { $in: tasks.flatMap((t) => (t.groupId ? [t.groupId] : [])) } }, { name: 1 }).lean(),
  ]);
  const byId = new Map(campaigns.map((c) => [String(c._id), c]));
  const groupNames = new Map(groups.map((g) => [String(g._id), g.name]));
  return tasks.flatMap((task) => {
    const campaign = byId.get(String(task.campaignId));
    return campaign ? [{ ...task, campaign, groupName: task.groupId ? (groupNames.get(String(task.groupId)) ?? null) : null }] : [];
  });
}

async function openTask(ctx: ServiceContext, taskId: string): Promise<CampaignTaskDoc> {
  authorize(ctx.actor, 'campaign.task');
  const task = await CampaignTask.findOne({
    orgId: toObjectId(ctx.orgId),
    _id: toObjectId(taskId, 'task'),
    staffId: toObjectId(ctx.actor.id),
  }).lean<CampaignTaskDoc>();
  if (!task) throw new NotFoundError('No such task');
  if (task.status !== 'open') throw taskDone();
  return task;
}

/**
 * The campaign's audience tags that still exist. Tags deleted since the campaign was planned drop out; when all of
 * them are gone the post is refused rather than widened to every customer.
 */
async function audienceTagsOf(campaign: CampaignDoc): Promise<string[]> {
  if (!campaign.tagIds.length) return [];
  const existing = await Tag.find({ orgId: campaign.orgId, ownerId: null, _id: { $in: campaign.tagIds } }, { _id: 1 }).lean();
  if (!existing.length) throw new ConflictError("The campaign's tags were deleted.", { code: 'campaign_tags_gone', messageKey: 'campaigns.errors.tagsGone' });
  return existing.map((tag) => String(tag._id));
}

/** How long a publish may hold its task before another attempt may take it over (a process that died mid-way). */
const TASK_LEASE_MS = 2 * 60_000;

const taskDone = () => new ConflictError('This task is already done.', { code: 'task_done', messageKey: 'campaigns.errors.taskDone' });

/** Open and not held by a publish under way (or held by one whose lease ran out). */
const claimable = (now: Date) => ({ status: 'open' as const, $or: [{ claimedAt: null }, { claimedAt: { $lt: new Date(now.getTime() - TASK_LEASE_MS) } }] });

/**
 * Publishes a campaign's post with one tap: counted against the clerk's quota (moments) or the group's allowance
 * like any post. The task is leased first, so a double tap publishes once; a refused publish frees it at once, and
 * a publish that died mid-way frees it when the lease runs out. Taking over such a task first looks for the post the
 * dead attempt may already have made, so it is not published twice.
 */
export async function publishCampaignTask(ctx: ServiceContext, taskId: string): Promise<PublishedPost> {
  const task = await openTask(ctx, taskId);
  const now = clock.now();
  const claimed = await CampaignTask.findOneAndUpdate(
    { _id: task._id, orgId: task.orgId, ...claimable(now) },
    { $set: { claimedAt: now } },
  ).lean<CampaignTaskDoc>();
  if (!claimed) throw taskDone();
  const done = (post: SocialPostDoc) =>
    CampaignTask.updateOne(
      { _id: task._id, orgId: task.orgId, status: 'open' },
      { $set: { status: 'published', doneAt: clock.now(), postId: post._id, claimedAt: null } },
    );
  if (claimed.claimedAt) {
    const earlier = await SocialPost.findOne({
      orgId: task.orgId,
      campaignId: task.campaignId,
      authorId: task.staffId,
      groupId: task.groupId ?? null,
      createdAt: { $gte: claimed.claimedAt },
    }).lean<SocialPostDoc>();
    if (earlier) {
      await done(earlier);
      const heldBackBy = await heldBackReasons(earlier);
      return { ...earlier, reach: { audience: earlier.stats.audience, reached: earlier.stats.reached, heldBack: earlier.stats.heldBack, heldBackBy } };
    }
  }
  let post: PublishedPost;
  try {
    const campaign = await Campaign.findOne({ orgId: task.orgId, _id: task.campaignId }).lean<CampaignDoc>();
    if (!campaign) throw new NotFoundError('No such campaign');
    const content = { text: campaign.text, link: campaign.link ?? null, imageIds: campaign.imageIds.map(String), campaignId: campaign._id };
    post = task.groupId
      ? await publishGroupPost(ctx, String(task.groupId), content)
      : await publishMoment(ctx, { ...content, tagIds: await audienceTagsOf(campaign) });
  } catch (err) {
    await CampaignTask.updateOne({ _id: task._id, orgId: task.orgId, claimedAt: now }, { $set: { claimedAt: null } });
    throw err;
  }
  await done(post);
  return post;
}

export async function skipCampaignTask(ctx: ServiceContext, taskId: string): Promise<void> {
  const task = await openTask(ctx, taskId);
  const result = await CampaignTask.updateOne(
    { _id: task._id, orgId: task.orgId, ...claimable(clock.now()) },
    { $set: { status: 'skipped', doneAt: clock.now() } },
  );
  if (result.modifiedCount !== 1) throw taskDone();
}

export type CompletionRow = { id: string; name: string; open: number; published: number; skipped: number; total: number };

/** A fired campaign's tasks by store and by clerk (a store manager sees her store's rows only). */
export async function campaignCompletion(
  ctx: ServiceContext,
  id: string,
): Promise<{ byStore: CompletionRow[]; byStaff: CompletionRow[]; totals: Omit<CompletionRow, 'id' | 'name'> }> {
  const campaign = await getCampaign(ctx, id);
  // The tasks carry the store they were made for: a store manager counts her store's.
  const match: Record<string, unknown> = { ...scopeFilter(ctx, 'campaign.read'), campaignId: campaign._id };
  const rows = await CampaignTask.aggregate<{
    _id: { storeId: mongoose.Types.ObjectId | null; staffId: mongoose.Types.ObjectId; status: CampaignTaskStatus };
    count: number;
  }>([{ $match: match }, { $group: { _id: { storeId: '$storeId', staffId: '$staffId', status: '$status' }, count: { $sum: 1 } } }]);
  const [stores, staffNames] = await Promise.all([
    Store.find({ orgId: campaign.orgId, _id: { $in: rows.flatMap((r) => (r._id.storeId ? [r._id.storeId] : [])) } }, { name: 1 }).lean(),
    staffNamesById(
      campaign.orgId,
      rows.map((r) => r._id.staffId),
    ),
  ]);
  const storeNames = new Map(stores.map((s) => [String(s._id), s.name]));
  const tally = (key: (row: (typeof rows)[number]) => string, name: (id: string) => string) => {
    const byKey = new Map<string, CompletionRow>();
    for (const row of rows) {
      const id = key(row);
      const entry = byKey.get(id) ?? { id, name: name(id), open: 0, published: 0, skipped: 0, total: 0 };
      entry[row._id.status] += row.count;
      entry.total += row.count;
      byKey.set(id, entry);
    }
    return [...byKey.values()].sort((a, b) => a.name.localeCompare(b.name));
  };
  const byStore = tally(
    (r) => (r._id.storeId ? String(r._id.storeId) : '-'),
    (id) => storeNames.get(id) ?? '',
  );
  const byStaff = tally(
    (r) => String(r._id.staffId),
    (id) => staffNames.get(id) ?? '',
  );
  const totals = byStore.reduce(
    (sum, r) => ({ open: sum.open + r.open, published: sum.published + r.published, skipped: sum.skipped + r.skipped, total: sum.total + r.total }),
    { open: 0, published: 0, skipped: 0, total: 0 },
  );
  return { byStore, byStaff, totals };
}
