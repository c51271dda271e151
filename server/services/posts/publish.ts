import { Delivery, SocialPost, type DeliveryDoc, type HoldReason, type PostKind, type SocialPostDoc } from '../../models/social-post.js';
import { reachOf, refundTouches, touchCustomers, type Reach, type TouchChannel } from '../limits/contact-budget.js';
import { markImagesAttached } from '../media/media.js';
import type { OrgSettings } from '../../domain/settings.js';
import { clock } from '../../clock.js';
import { mongoose } from '../../db/connect.js';
import { insertDocuments } from '../../db/bulk-insert.js';

export type NewPost = Pick<SocialPostDoc, 'kind' | 'authorId' | 'text' | 'imageIds' | 'link' | 'day'> &
  Partial<Pick<SocialPostDoc, 'storeId' | 'groupId' | 'audienceTagIds' | 'campaignId'>>;

/** The contact budget's channel for each kind of post. */
export const channelOf: Record<PostKind, TouchChannel> = { moment: 'moment', group: 'group_post' };
const INSERT_BATCH = 500;

/** A post as it was just published, with what actually happened to its audience (what a confirmation reports). */
export type PublishedPost = SocialPostDoc & { reach: Reach };

/**
 * Stores a post and decides, customer by customer, whether it is shown or held back: the contact-budget service
 * answers for each (the customer's daily cap of moments, the daily touches across channels). One delivery record
 * per customer makes the customer's feed one indexed read and the post's statistics exact.
 */
export async function storeAndDeliver(
  orgId: mongoose.Types.ObjectId,
  post: NewPost,
  audience: mongoose.Types.ObjectId[],
  settings: OrgSettings,
): Promise<PublishedPost> {
  // Marked before the post exists, so the sweep of unused uploads cannot take a picture this post is about to show.
  await markImagesAttached(String(orgId), post.imageIds);
  const created = (
    await SocialPost.create({ ...post, orgId, stats: { audience: audience.length, reached: 0, heldBack: 0, likes: 0, comments: 0 } })
  ).toObject<SocialPostDoc>();
  let decisions = new Map<string, HoldReason | null>();
  try {
    decisions = await touchCustomers(orgId, audience, channelOf[post.kind], settings);
    const at = clock.now();
    const deliveries: Omit<DeliveryDoc, '_id'>[] = audience.map((customerId) => {
      const held: HoldReason | null = decisions.get(String(customerId)) ?? null;
      return {
        orgId,
        postId: created._id,
        customerId,
        kind: post.kind,
        groupId: post.groupId ?? null,
        shown: held === null,
        heldReason: held,
        liked: false,
        at,
      };
    });
    for (let start = 0; start < deliveries.length; start += INSERT_BATCH) {
      const [refused] = (await insertDocuments(Delivery, deliveries.slice(start, start + INSERT_BATCH))).values();
      if (refused) throw Object.assign(new Error(refused.message), { code: refused.code });
    }
    const reach = reachOf(deliveries.map((d) => d.heldReason ?? null));
    const stats = { ...created.stats, reached: reach.reached, heldBack: reach.heldBack };
    await SocialPost.updateOne({ _id: created._id, orgId }, { $set: { 'stats.reached': stats.reached, 'stats.heldBack': stats.heldBack } });
    return { ...created, stats, reach };
  } catch (err) {
    // A post half delivered is worse than none: take it back, and give back the customers' touches it counted.
    // Each step on its own: a failing clean-up must neither hide the original error nor skip the refunds.
    await Delivery.deleteMany({ orgId, postId: created._id }).catch(() => undefined);
    await SocialPost.deleteOne({ orgId, _id: created._id }).catch(() => undefined);
    const touched = audience.filter((customerId) => decisions.get(String(customerId)) === null);
    await refundTouches(orgId, touched, channelOf[post.kind], settings).catch(() => undefined);
    throw err;
  }
}

/** Held back, by reason: what the post's page explains. */
export async function heldBackReasons(post: Pick<SocialPostDoc, '_id' | 'orgId'>): Promise<Record<HoldReason, number>> {
  const rows = await Delivery.aggregate<{ _id: HoldReason; count: number }>([
    { $match: { orgId: post.orgId, postId: post._id, shown: false } },
    { $group: { _id: '$heldReason', count: { $sum: 1 } } },
  ]);
  return { customer_cap: 0, contact_budget: 0, ...Object.fromEntries(rows.map((row) => [row._id, row.count])) };
}
