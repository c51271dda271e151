import { Delivery, deliveryKey, PostComment, SocialPost, type DeliveryDoc, type PostKind, type SocialPostDoc } from '../../models/social-post.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { toObjectId } from '../ids.js';
import { appendTimeline } from '../customers/timeline.js';
import { systemContext } from '../context.js';
import { socialLimits } from '../../domain/settings.js';
import { withAuthorNames, type MomentListItem } from '../moments/moments.js';
import { groupsOfMember } from '../groups/groups.js';
import type { MemberContext } from './members.js';
import { clock } from '../../clock.js';
import { domainEvents } from '../events.js';

export type FeedItem = MomentListItem & { liked: boolean; myComments: { text: string; at: Date; replies: { text: string; at: Date }[] }[] };

/**
 * What a customer was shown (moments of their clerks within the daily cap, or one group's posts), newest first:
 * the deliveries decided at publish time, so a held-back post never appears.
 */
export async function shownPosts(
  member: MemberContext,
  opts: { kind: PostKind; groupId?: string; limit?: number; before?: string | undefined },
): Promise<FeedItem[]> {
  const orgId = toObjectId(member.orgId);
  const customerId = toObjectId(member.customerId);
  const filter: Record<string, unknown> = { orgId, customerId, kind: opts.kind, shown: true };
  if (opts.groupId) filter.groupId = toObjectId(opts.groupId, 'group');
  if (opts.before) filter.at = { $lt: new Date(opts.before) };
  const deliveries = await Delivery.find(filter)
    .sort({ at: -1 })
    .limit(Math.min(opts.limit ?? 20, 50))
    .lean<DeliveryDoc[]>();
  const postIds = deliveries.map((d) => d.postId);
  const [posts, comments] = await Promise.all([
    SocialPost.find({ orgId, _id: { $in: postIds } }).lean<SocialPostDoc[]>(),
    PostComment.find({ orgId, customerId, postId: { $in: postIds } })
      .sort({ at: 1 })
      .lean(),
  ]);
  const byId = new Map((await withAuthorNames(member.orgId, posts)).map((p) => [String(p._id), p]));
  return deliveries.flatMap((d) => {
    const post = byId.get(String(d.postId));
    if (!post) return [];
    return [
      {
        ...post,
        liked: d.liked,
        myComments: comments
          .filter((c) => String(c.postId) === String(d.postId))
          .map((c) => ({ text: c.text, at: c.at, replies: (c.replies ?? []).map((r) => ({ text: r.text, at: r.at })) })),
      },
    ];
  });
}

/**
 * Deliveries that are still the customer's: a moment once shown stays theirs; a group post only while they are a
 * member of the group and it is active, so leaving or an archive takes it away by id as well as from the page.
 */
async function stillTheirs(member: MemberContext, deliveries: DeliveryDoc[]): Promise<DeliveryDoc[]> {
  if (!deliveries.some((d) => d.kind === 'group')) return deliveries;
  const groupIds = new Set((await groupsOfMember(member)).map((group) => String(group._id)));
  return deliveries.filter((d) => d.kind !== 'group' || groupIds.has(String(d.groupId)));
}

/** The delivery that lets a customer react to a post: only to posts they were shown and that are still theirs. */
async function shownDelivery(member: MemberContext, postId: string): Promise<DeliveryDoc> {
  const [orgId, customerId, post] = [toObjectId(member.orgId), toObjectId(member.customerId), toObjectId(postId, 'post')];
  const delivery = await Delivery.findOne({
    orgId,
    customerId,
    postId: post,
    scopedKey: deliveryKey(orgId, post, customerId),
    shown: true,
  }).lean<DeliveryDoc>();
  const [theirs] = delivery ? await stillTheirs(member, [delivery]) : [];
  if (!theirs) throw new NotFoundError('No such post');
  return theirs;
}

/** Like or unlike; the count follows only a real change, so a double tap counts once. */
export async function setLike(member: MemberContext, postId: string, liked: boolean): Promise<void> {
  const delivery = await shownDelivery(member, postId);
  const changed = await Delivery.updateOne({ _id: delivery._id, orgId: delivery.orgId, liked: !liked }, { $set: { liked } });
  if (changed.modifiedCount !== 1) return;
  await SocialPost.updateOne({ _id: delivery.postId, orgId: delivery.orgId }, { $inc: { 'stats.likes': liked ? 1 : -1 } });
  // Once per post in the timeline: liking, unliking and liking again is one event for the clerk (one conditional update decides).
  const first = liked ? await Delivery.updateOne({ _id: delivery._id, orgId: delivery.orgId, likedOnce: { $ne: true } }, { $set: { likedOnce: true } }) : null;
  if (first?.modifiedCount !== 1) return;
  if (delivery.kind === 'moment')
    tellAuthor(
      await SocialPost.findOneAndUpdate(
        { _id: delivery.postId, orgId: delivery.orgId },
        { $inc: { unseen: 1 } },
        { returnDocument: 'after', projection: { orgId: 1, authorId: 1, unseen: 1 } },
      ).lean(),
      'like',
    );
  await appendTimeline(systemContext(member.orgId), delivery.customerId, 'post.liked', { postId: String(delivery.postId), kind: delivery.kind });
}

/** After the write: the moment's author hears of it on her open pages. */
function tellAuthor(post: Pick<SocialPostDoc, '_id' | 'orgId' | 'authorId' | 'unseen'> | null, kind: 'comment' | 'like'): void {
  if (post)
    domainEvents.emitEvent('moments.reaction', {
      orgId: String(post.orgId),
      postId: String(post._id),
      authorId: String(post.authorId),
      kind,
      unseen: post.unseen ?? 0,
    });
}

export async function addComment(member: MemberContext, postId: string, text: string): Promise<void> {
  const words = (text ?? '').trim();
  if (!words) throw new ValidationError({ text: ['required'] });
  if (words.length > socialLimits.commentMax) throw new ValidationError({ text: ['too_long'] });
  const delivery = await shownDelivery(member, postId);
  await PostComment.create({ orgId: delivery.orgId, postId: delivery.postId, customerId: delivery.customerId, text: words, at: clock.now() });
  const post = await SocialPost.findOneAndUpdate(
    { _id: delivery.postId, orgId: delivery.orgId },
    { $inc: { 'stats.comments': 1, ...(delivery.kind === 'moment' ? { unseen: 1 } : {}) } },
    { returnDocument: 'after', projection: { orgId: 1, authorId: 1, unseen: 1 } },
  ).lean();
  if (delivery.kind === 'moment') tellAuthor(post, 'comment');
  await appendTimeline(systemContext(member.orgId), delivery.customerId, 'post.commented', {
    postId: String(delivery.postId),
    kind: delivery.kind,
    text: words.slice(0, 200),
  });
}

/** A picture a customer may see: one of a post they were shown and that is still theirs. */
export async function memberMayViewImage(member: MemberContext, imageId: string): Promise<boolean> {
  const orgId = toObjectId(member.orgId);
  const posts = await SocialPost.find({ orgId, imageIds: toObjectId(imageId, 'image') }, { _id: 1 })
    .limit(1000)
    .lean();
  if (!posts.length) return false;
  const customerId = toObjectId(member.customerId);
  const deliveries = await Delivery.find(
    { orgId, customerId, scopedKey: { $in: posts.map((p) => deliveryKey(orgId, p._id, customerId)) }, shown: true },
    { kind: 1, groupId: 1 },
  ).lean<DeliveryDoc[]>();
  return (await stillTheirs(member, deliveries)).length > 0;
}
