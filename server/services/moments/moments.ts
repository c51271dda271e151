import { Customer } from '../../models/customer.js';
import { Delivery, PostComment, SocialPost, type SocialPostDoc } from '../../models/social-post.js';
import { NotFoundError, RateLimitedError, ValidationError } from '../../errors.js';
import { authorize, can } from '../../policies/permissions.js';
import { recordFields, scopeFilter } from '../../policies/scopes.js';
import { appendTimeline } from '../customers/timeline.js';
import { socialLimits } from '../../domain/settings.js';
import type { ServiceContext } from '../context.js';
import { toObjectId } from '../ids.js';
import { getOrgSettings } from '../org/settings.js';
import { resolveUsableTagIds } from '../tags/tags.js';
import { consumeUsage, dayPeriod, localTimeOf, refundUsage, secondsUntil, usageOf } from '../limits/usage.js';
import { checkDraft, withStoredImages, type DraftInput } from '../posts/draft.js';
import { heldBackReasons, storeAndDeliver, type PublishedPost } from '../posts/publish.js';
import { previewTouches, type Reach } from '../limits/contact-budget.js';
import { clock } from '../../clock.js';
import { customerNamesById, staffNamesById } from '../names.js';
import type { OrgSettings } from '../../domain/settings.js';
import type { mongoose } from '../../db/connect.js';

export type MomentInput = DraftInput & { tagIds?: string[] | undefined; campaignId?: mongoose.Types.ObjectId | undefined };

export type Quota = { limit: number; used: number; left: number; resetsAt: Date };

const quotaKey = (staffId: string, day: string) => `moments:${staffId}:${day}`;

function quotaPeriod(settings: OrgSettings) {
  return dayPeriod(clock.now(), settings.timezone);
}

/** What the composer shows: today's posts against the daily quota, and when it starts again. */
export async function momentQuota(ctx: ServiceContext): Promise<Quota> {
  authorize(ctx.actor, 'moment.publish');
  const settings = await getOrgSettings(ctx);
  const period = quotaPeriod(settings);
  const { used } = await usageOf(toObjectId(ctx.orgId), quotaKey(ctx.actor.id, period.key));
  const limit = settings.momentsPerStaffPerDay;
  return { limit, used: Math.min(used, limit), left: Math.max(0, limit - used), resetsAt: period.endsAt };
}

/** The author's customers a moment goes to: all of them, or those with any of the chosen tags. */
async function momentAudience(ctx: ServiceContext, tagIds: mongoose.Types.ObjectId[]): Promise<mongoose.Types.ObjectId[]> {
  return momentAudienceOf(toObjectId(ctx.orgId), [toObjectId(ctx.actor.id)], tagIds);
}

/** The customers these authors' moments go to (a campaign's clerks, or one author), with any of the tags if some are given. */
export async function momentAudienceOf(
  orgId: mongoose.Types.ObjectId,
  authorIds: mongoose.Types.ObjectId[],
  tagIds: mongoose.Types.ObjectId[],
): Promise<mongoose.Types.ObjectId[]> {
  if (!authorIds.length) return [];
  const filter: Record<string, unknown> = { orgId, ownerId: authorIds.length === 1 ? authorIds[0] : { $in: authorIds }, erasedAt: null };
  if (tagIds.length) filter.tagIds = { $in: tagIds };
  return (await Customer.find(filter, { _id: 1 }).lean()).map((c) => c._id);
}

/**
 * Publishes a moment to the author's customers. The daily quota is checked and counted in one atomic update
 * (50 simultaneous publishes with 3 left make exactly 3 posts), after everything about the draft was checked, so
 * bad input spends nothing; a publish that fails after counting gives the count back.
 */
export async function publishMoment(ctx: ServiceContext, input: MomentInput): Promise<PublishedPost> {
  authorize(ctx.actor, 'moment.publish');
  const draft = await checkDraft(ctx, input);
  const tagIds = await resolveUsableTagIds(ctx, input.tagIds ?? []);
  const settings = await getOrgSettings(ctx);
  const orgId = toObjectId(ctx.orgId);
  const period = quotaPeriod(settings);
  const key = quotaKey(ctx.actor.id, period.key);
  if (!(await consumeUsage(orgId, key, { limit: settings.momentsPerStaffPerDay }, period.endsAt))) {
    throw new RateLimitedError('The daily moments quota is used up.', secondsUntil(period.endsAt, clock.now()), {
      code: 'quota_exceeded',
      messageKey: 'moments.errors.quotaExceeded',
      params: { resetsAt: period.endsAt.toISOString(), resetsAtLocal: localTimeOf(period.endsAt, settings.timezone) },
    });
  }
  return withStoredImages(
    ctx,
    draft,
    () => refundUsage(orgId, key),
    async (imageIds) => {
      const audience = await momentAudience(ctx, tagIds);
      return storeAndDeliver(
        orgId,
        {
          kind: 'moment',
          authorId: toObjectId(ctx.actor.id),
          storeId: ctx.actor.storeId ? toObjectId(ctx.actor.storeId) : null,
          text: draft.text,
          link: draft.link,
          imageIds,
          audienceTagIds: tagIds,
          campaignId: input.campaignId ?? null,
          day: period.key,
        },
        audience,
        settings,
      );
    },
  );
}

/**
 * What a moment to these tags (none: all the author's customers) would do if published now: asked of the contact
 * budget that decides delivery, without touching anyone.
 */
export async function momentReach(ctx: ServiceContext, input: { tagIds?: string[] | undefined; tagsChosen?: boolean | undefined }): Promise<Reach> {
  authorize(ctx.actor, 'moment.publish');
  const tagIds = await resolveUsableTagIds(ctx, input.tagIds ?? []);
  const settings = await getOrgSettings(ctx);
  // "Customers with the chosen tags" and no tag ticked yet reaches nobody (publishing it is refused), not everyone.
  const audience = input.tagsChosen && !tagIds.length ? [] : await momentAudience(ctx, tagIds);
  return previewTouches(toObjectId(ctx.orgId), audience, 'moment', settings);
}

/** Moments within the reader's reach: her own, her store's, or the organisation's. */
function momentScope(ctx: ServiceContext): Record<string, unknown> {
  return { ...scopeFilter(ctx, 'moment.read', recordFields.post), kind: 'moment' };
}

export type MomentListItem = SocialPostDoc & { authorName: string };

export async function listMoments(ctx: ServiceContext, opts: { limit?: number; before?: string | undefined } = {}): Promise<MomentListItem[]> {
  authorize(ctx.actor, 'moment.read');
  const filter = momentScope(ctx);
  if (opts.before) filter._id = { $lt: toObjectId(opts.before) };
  const posts = await SocialPost.find(filter)
    .sort({ _id: -1 })
    .limit(Math.min(opts.limit ?? 20, 100))
    .lean<SocialPostDoc[]>();
  return withAuthorNames(ctx.orgId, posts);
}

export async function withAuthorNames(orgId: string, posts: SocialPostDoc[]): Promise<MomentListItem[]> {
  const names = await staffNamesById(
    toObjectId(orgId),
    posts.map((p) => p.authorId),
  );
  return posts.map((post) => ({ ...post, authorName: names.get(String(post.authorId)) ?? '' }));
}

export type MomentDetail = MomentListItem & {
  heldBack: Awaited<ReturnType<typeof heldBackReasons>>;
  likedBy: { customerId: string; name: string }[];
  comments: { id: string; customerId: string; name: string; text: string; at: Date; replies: { staffName: string; text: string; at: Date }[] }[];
  /** Whether the reader may answer its comments (the author, or a manager or admin within reach). */
  mayReply: boolean;
};

/** Who may answer a moment's comments, by the permission matrix: the author, or those above her within reach. */
const replyResource = (post: Pick<SocialPostDoc, 'authorId' | 'storeId'>) => ({
  ownerId: String(post.authorId),
  storeId: post.storeId ? String(post.storeId) : null,
});

/** A moment with who liked it and what customers said: the post's own audience, so the author and those above her may see their names. */
export async function getMoment(ctx: ServiceContext, postId: string): Promise<MomentDetail> {
  authorize(ctx.actor, 'moment.read');
  const post = await SocialPost.findOne({ ...momentScope(ctx), _id: toObjectId(postId, 'moment') }).lean<SocialPostDoc>();
  if (!post) throw new NotFoundError('No such moment');
  const [[withName], heldBack, likes, comments] = await Promise.all([
    withAuthorNames(ctx.orgId, [post]),
    heldBackReasons(post),
    Delivery.find({ orgId: post.orgId, postId: post._id, liked: true }, { customerId: 1 }).limit(200).lean(),
    PostComment.find({ orgId: post.orgId, postId: post._id }).sort({ at: 1 }).limit(500).lean(),
  ]);
  const [names, staffNames] = await Promise.all([
    customerNamesById(post.orgId, [...likes.map((l) => l.customerId), ...comments.map((c) => c.customerId)]),
    staffNamesById(
      post.orgId,
      comments.flatMap((c) => (c.replies ?? []).map((r) => r.staffId)),
    ),
  ]);
  return {
    ...withName!,
    heldBack,
    likedBy: likes.map((l) => ({ customerId: String(l.customerId), name: names.get(String(l.customerId)) ?? '' })),
    comments: comments.map((c) => ({
      id: String(c._id),
      customerId: String(c.customerId),
      name: names.get(String(c.customerId)) ?? '',
      text: c.text,
      at: c.at,
      replies: (c.replies ?? []).map((r) => ({ staffName: staffNames.get(String(r.staffId)) ?? '', text: r.text, at: r.at })),
    })),
    mayReply: can(ctx.actor, 'moment.reply', replyResource(post)),
  };
}

/** Replies kept under one comment: enough for a conversation, bounded so a comment document stays small. */
const REPLIES_PER_COMMENT = 50;

/**
 * The shop answers a customer's comment under it; the customer sees the reply on her page and the answer lands in
 * her timeline beside the comment. Checked whole before anything is written.
 */
export async function replyToComment(
  ctx: ServiceContext,
  input: { postId: string; commentId: string; text: string },
): Promise<{ postId: string; commentId: string }> {
  authorize(ctx.actor, 'moment.reply');
  const words = (input.text ?? '').trim();
  if (!words) throw new ValidationError({ text: ['required'] });
  if (words.length > socialLimits.commentMax) throw new ValidationError({ text: ['too_long'] });
  const orgId = toObjectId(ctx.orgId);
  const post = await SocialPost.findOne({ ...momentScope(ctx), _id: toObjectId(input.postId, 'moment') }).lean<SocialPostDoc>();
  if (!post) throw new NotFoundError('No such moment');
  authorize(ctx.actor, 'moment.reply', replyResource(post));
  const reply = { staffId: toObjectId(ctx.actor.id), text: words, at: clock.now() };
  const comment = await PostComment.findOneAndUpdate(
    { orgId, postId: post._id, _id: toObjectId(input.commentId, 'comment') },
    { $push: { replies: { $each: [reply], $slice: -REPLIES_PER_COMMENT } } },
    { returnDocument: 'after', projection: { customerId: 1 } },
  ).lean();
  if (!comment) throw new NotFoundError('No such comment');
  await appendTimeline(ctx, comment.customerId, 'post.replied', { postId: String(post._id), commentId: String(comment._id), text: words.slice(0, 200) });
  return { postId: String(post._id), commentId: String(comment._id) };
}

/** The author's badge: customers' comments and first likes on her moments that she has not opened since. */
export async function unseenMomentReactions(ctx: ServiceContext): Promise<number> {
  if (!can(ctx.actor, 'moment.publish')) return 0;
  const [total] = await SocialPost.aggregate<{ n: number }>([
    { $match: { orgId: toObjectId(ctx.orgId), kind: 'moment', authorId: toObjectId(ctx.actor.id), unseen: { $gt: 0 } } },
    { $group: { _id: null, n: { $sum: '$unseen' } } },
  ]);
  return total?.n ?? 0;
}

/** The author opened her moment: what was new on it is seen. Others opening it change nothing for her. */
export async function markMomentSeen(ctx: ServiceContext, post: Pick<SocialPostDoc, '_id' | 'orgId' | 'authorId' | 'unseen'>): Promise<void> {
  if (String(post.authorId) !== ctx.actor.id || !post.unseen) return;
  await SocialPost.updateOne({ _id: post._id, orgId: post.orgId, authorId: post.authorId }, { $set: { unseen: 0 } });
}
