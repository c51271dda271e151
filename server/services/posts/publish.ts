import { Delivery, SocialPost, type DeliveryDoc, type HoldReason, type PostKind, type SocialPostDoc } from '../../models/social-post.js';
import { reachOf, refundTouches, touchCustomers, type Reach, type TouchChannel } from '../limits/contact-budget.js';
import { markImagesAttached } from '../media/media.js';
import type { OrgSettings } from '../../domain/settings.js';
import { clock } from '../../clock.js';
import { mongoose } from '../../db/connect.js';
import type { Model } from 'mongoose';
import { completeDocument, insertNewDocuments } from '../../db/bulk-insert.js';

export type NewPost = Pick<SocialPostDoc, 'kind' | 'authorId' | 'text' | 'imageIds' | 'link' | 'day'> &
  Partial<Pick<SocialPostDoc, 'storeId' | 'groupId' | 'audienceTagIds' | 'campaignId'>>;

/** The contact budget's channel for each kind of post. */
export const channelOf: Record<PostKind, TouchChannel> = { moment: 'moment', group: 'group_post' };
const INSERT_BATCH = 1000;

/** A post as it was just published, with what actually happened to its audience (what a confirmation reports). */
export type PublishedPost = SocialPostDoc & { reach: Reach };

/**
 * Stores a post and decides, customer by customer, whether it is shown or held back: the contact-budget service
 * answers for each (the customer's daily cap of moments, the daily touches across channels), for the whole audience
 * in batches. One delivery record per customer makes the customer's feed one indexed read and the post's statistics
 * exact. The post is checked before anyone is touched and written once, with its statistics; deliveries go in bulk.
 */
export async function storeAndDeliver(
  orgId: mongoose.Types.ObjectId,
  post: NewPost,
  audience: mongoose.Types.ObjectId[],
  settings: OrgSettings,
): Promise<PublishedPost> {
  // Built and validated without a round trip: a post that cannot be stored spends no customer's touch.
  const draft = (await completeDocument(SocialPost, {
    ...post,
    orgId,
    stats: { audience: audience.length, reached: 0, heldBack: 0, likes: 0, comments: 0 },
  })) as unknown as SocialPostDoc;
  // Marked before the post exists, so the sweep of unused uploads cannot take a picture this post is about to show.
  await markImagesAttached(String(orgId), post.imageIds);
  const channel = channelOf[post.kind];
  let decided = false;
  try {
    // The post's id marks its touches: a failure below gives back exactly those.
    const decisions = await touchCustomers(orgId, audience, channel, settings, { mark: draft._id });
    decided = true;
    const held = audience.map((customerId): HoldReason | null => decisions.get(String(customerId)) ?? null);
    const reach = reachOf(held);
    const created: SocialPostDoc = { ...draft, stats: { ...draft.stats, reached: reach.reached, heldBack: reach.heldBack } };
    await insertEveryOne(SocialPost, [created]);
    const at = clock.now();
    const deliveries: Omit<DeliveryDoc, '_id'>[] = audience.map((customerId, i) => ({
      orgId,
      postId: created._id,
      customerId,
      kind: post.kind,
      groupId: post.groupId ?? null,
      shown: held[i] === null,
      heldReason: held[i] ?? null,
      liked: false,
      at,
    }));
    for (let start = 0; start < deliveries.length; start += INSERT_BATCH) {
      await insertEveryOne(Delivery, deliveries.slice(start, start + INSERT_BATCH));
    }
    return { ...created, reach };
  } catch (err) {
    // A post half delivered is worse than none: take it back, and give back the customers' touches it counted.
    // Each step on its own: a failing clean-up must neither hide the original error nor skip the refunds.
    await Delivery.deleteMany({ orgId, postId: draft._id }).catch(() => undefined);
    await SocialPost.deleteOne({ orgId, _id: draft._id }).catch(() => undefined);
    // touchCustomers gives back its own touches when it fails itself.
    if (decided) await refundTouches(orgId, audience, channel, settings, draft._id).catch(() => undefined);
    throw err;
  }
}

/** A new post and its deliveries: none can exist yet, so even a duplicate means the post cannot be stored whole. */
async function insertEveryOne<T>(model: Model<T>, docs: object[]): Promise<void> {
  const { duplicates } = await insertNewDocuments(model, docs);
  if (duplicates.length) throw Object.assign(new Error(`${duplicates.length} of ${docs.length} already stored`), { code: 11000 });
}

/** Held back, by reason: what the post's page explains. */
export async function heldBackReasons(post: Pick<SocialPostDoc, '_id' | 'orgId'>): Promise<Record<HoldReason, number>> {
  const rows = await Delivery.aggregate<{ _id: HoldReason; count: number }>([
    { $match: { orgId: post.orgId, postId: post._id, shown: false } },
    { $group: { _id: '$heldReason', count: { $sum: 1 } } },
  ]);
  return { customer_cap: 0, contact_budget: 0, ...Object.fromEntries(rows.map((row) => [row._id, row.count])) };
}
