import { Delivery, deliveryKey, SocialPost, type DeliveryDoc, type HoldReason, type PostKind, type SocialPostDoc } from '../../models/social-post.js';
import { Organization } from '../../models/organization.js';
import { Customer } from '../../models/customer.js';
import { isTransientWriteConflict } from '../../db/write-conflicts.js';
import { isDatabaseUnreachable } from '../mongo-errors.js';
import { reachOf, refundTouches, touchCustomers, type Reach, type TouchChannel } from '../limits/contact-budget.js';
import { markImagesAttached } from '../media/media.js';
import { effectiveSettings, fanoutLimits, type OrgSettings } from '../../domain/settings.js';
import { clock } from '../../clock.js';
import { mongoose } from '../../db/connect.js';
import type { Model } from 'mongoose';
import { completeDocument, insertNewDocuments } from '../../db/bulk-insert.js';
import { domainEvents } from '../events.js';

export type NewPost = Pick<SocialPostDoc, 'kind' | 'authorId' | 'text' | 'imageIds' | 'link' | 'day'> &
  Partial<Pick<SocialPostDoc, 'storeId' | 'groupId' | 'audienceTagIds' | 'campaignId'>>;

/** What differs from one delivery of a post to the next. */
type OwnDeliveryField = 'customerId' | 'scopedKey' | 'shown' | 'heldReason';

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
  if (audience.length > fanoutLimits.deliveryBatch) return storeForDelivery(orgId, post, audience, settings);
  const draft = await draftOf(orgId, post, audience);
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
    const { shared, own } = deliveriesOf(created, audience, held);
    for (let start = 0; start < own.length; start += INSERT_BATCH) {
      await insertEveryOne(Delivery, own.slice(start, start + INSERT_BATCH), shared);
    }
    return { ...created, reach };
  } catch (err) {
    // touchCustomers gives back its own touches when it fails itself; they were counted in today's period.
    await takeBack(draft, audience, settings, decided && {});
    throw err;
  }
}

/**
 * The post as it will be stored, built and validated without a round trip (a post that cannot be stored spends no
 * customer's touch), its pictures marked as attached.
 */
async function draftOf(
  orgId: mongoose.Types.ObjectId,
  post: NewPost,
  audience: mongoose.Types.ObjectId[],
  more: Partial<SocialPostDoc> = {},
): Promise<SocialPostDoc> {
  const draft = (await completeDocument(SocialPost, {
    ...post,
    orgId,
    stats: { audience: audience.length, reached: 0, heldBack: 0, likes: 0, comments: 0 },
    ...more,
  })) as unknown as SocialPostDoc;
  // Marked before the post exists, so the sweep of unused uploads cannot take a picture this post is about to show.
  await markImagesAttached(String(orgId), post.imageIds);
  return draft;
}

/**
 * A publish that failed before anyone was told: a post half delivered is worse than none, so the post and its
 * deliveries go, and the touches it counted (marked with its id, in the period of `refund.at`, by default now)
 * are given back. Each step on its own: a failing clean-up must neither hide the original error nor skip the refunds.
 */
async function takeBack(draft: SocialPostDoc, audience: mongoose.Types.ObjectId[], settings: OrgSettings, refund: { at?: Date } | false): Promise<void> {
  const { orgId, _id: postId } = draft;
  await Delivery.deleteMany({ orgId, postId }).catch(() => undefined);
  await SocialPost.deleteOne({ orgId, _id: postId }).catch(() => undefined);
  if (refund) await refundTouches(orgId, audience, channelOf[draft.kind], settings, postId, refund.at).catch(() => undefined);
}

/**
 * A post to more customers than one batch: stored first, in its delivering state and with its audience; the first
 * batch is decided and delivered before the answer, the rest by the delivery job (`continueDelivery`). A count rather
 * than a time box: the clerk waits at most what a post to one batch costs whatever the audience, and what the answer
 * holds does not depend on how loaded the machine is (so tests can say exactly what is decided when it answers).
 */
async function storeForDelivery(
  orgId: mongoose.Types.ObjectId,
  post: NewPost,
  audience: mongoose.Types.ObjectId[],
  settings: OrgSettings,
): Promise<PublishedPost> {
  const draft = await draftOf(orgId, post, audience, { delivery: { state: 'delivering', decided: 0, movedAt: clock.now() }, pendingAudience: audience });
  await insertEveryOne(SocialPost, [draft]);
  try {
    const { reach } = await deliverBatches(draft, audience, settings, 1);
    const { pendingAudience: _audience, ...stored } = (await SocialPost.findOne({ orgId, _id: draft._id }).lean<SocialPostDoc>())!;
    // Settled before the answer: the job is saved once the clerk is told the post goes on being delivered.
    await domainEvents.emitEventAndSettle('posts.delivering', { orgId: String(orgId), postId: String(draft._id) });
    return { ...stored, reach };
  } catch (err) {
    // Nobody waits on a job yet: taken back whole, as a small post is, so the publish can be refused as a whole. Its
    // touches were counted in the day the post was made (see deliverOneBatch).
    await takeBack(draft, audience, settings, { at: draft.createdAt });
    throw err;
  }
}

/**
 * Decides and delivers the customers of a delivering post still without a delivery, batch after batch in the
 * audience's order, at most `maxBatches`; marks the post done after the last. Safe to run again, or twice at once,
 * after a crash anywhere: a customer with a delivery is not asked again, a touch counted with the post's mark is not
 * counted again (consumeUsages), a delivery exists once (its unique key), and the figures are counted from the
 * deliveries, never added up.
 */
async function deliverBatches(
  post: Pick<SocialPostDoc, '_id' | 'orgId' | 'kind' | 'groupId' | 'createdAt' | 'delivery'>,
  audience: mongoose.Types.ObjectId[],
  settings: OrgSettings,
  maxBatches = Number.POSITIVE_INFINITY,
): Promise<{ reach: Reach; done: boolean }> {
  const batch = fanoutLimits.deliveryBatch;
  // Batches go in order, so every batch before the one holding the `decided`-th customer is complete.
  let start = Math.floor((post.delivery?.decided ?? 0) / batch) * batch;
  let reach: Reach | null = null;
  for (let steps = 0; start < audience.length && steps < maxBatches; start += batch, steps++) {
    await deliverOneBatch(post, audience.slice(start, start + batch), settings);
    reach = await recordProgress(post);
  }
  const done = start >= audience.length;
  reach ??= await recordProgress(post);
  if (done) {
    // The audience is who was decided: customers erased while the post went out are not counted in it.
    await SocialPost.updateOne(
      { orgId: post.orgId, _id: post._id, 'delivery.state': 'delivering' },
      { $set: { 'delivery.state': 'done', 'stats.audience': reach.audience }, $unset: { pendingAudience: 1 } },
    );
  }
  return { reach, done };
}

async function deliverOneBatch(
  post: Pick<SocialPostDoc, '_id' | 'orgId' | 'kind' | 'groupId' | 'createdAt'>,
  customerIds: mongoose.Types.ObjectId[],
  settings: OrgSettings,
): Promise<void> {
  const { orgId, _id: postId } = post;
  const delivered = new Set(
    (await Delivery.find({ orgId, scopedKey: { $in: customerIds.map((customerId) => deliveryKey(orgId, postId, customerId)) } }, { customerId: 1 }).lean()).map(
      (d) => String(d.customerId),
    ),
  );
  const pending = [...new Map(customerIds.filter((id) => !delivered.has(String(id))).map((id) => [String(id), id])).values()];
  if (!pending.length) return;
  // The audience was chosen at the publish: a customer erased since then is neither touched nor delivered to.
  const living = new Set((await Customer.find({ orgId, _id: { $in: pending }, erasedAt: null }, { _id: 1 }).lean()).map((c) => String(c._id)));
  const undecided = pending.filter((id) => living.has(String(id)));
  if (!undecided.length) return;
  // Counted in the day the post was published, however late the job runs: its refund looks there.
  const decisions = await touchCustomers(orgId, undecided, channelOf[post.kind], settings, { mark: postId, at: post.createdAt });
  const { shared, own } = deliveriesOf(
    post,
    undecided,
    undecided.map((customerId) => decisions.get(String(customerId)) ?? null),
  );
  // A duplicate is a concurrent run's delivery of the same customer, decided by the same marked touch: harmless.
  await insertNewDocuments(Delivery, own, shared);
}

/**
 * A post's deliveries to these customers, decided as `held` says (null: shown): what they all have alike, validated
 * once per batch by the insert, and each customer's own fields.
 */
function deliveriesOf(
  post: Pick<SocialPostDoc, '_id' | 'orgId' | 'kind' | 'groupId'>,
  customerIds: mongoose.Types.ObjectId[],
  held: (HoldReason | null)[],
): { shared: Omit<DeliveryDoc, '_id' | OwnDeliveryField>; own: Pick<DeliveryDoc, OwnDeliveryField>[] } {
  const shared = { orgId: post.orgId, postId: post._id, kind: post.kind, groupId: post.groupId ?? null, liked: false, at: clock.now() };
  const own = customerIds.map((customerId, i) => ({
    customerId,
    scopedKey: deliveryKey(post.orgId, post._id, customerId),
    shown: held[i] === null,
    heldReason: held[i] ?? null,
  }));
  return { shared, own };
}

/** The post's figures and progress, counted from its deliveries (exact whatever ran before), written while it is delivering. */
async function recordProgress(post: Pick<SocialPostDoc, '_id' | 'orgId'>): Promise<Reach> {
  const rows = await Delivery.aggregate<{ _id: HoldReason | null; count: number }>([
    { $match: { orgId: post.orgId, postId: post._id } },
    { $group: { _id: '$heldReason', count: { $sum: 1 } } },
  ]);
  const reach: Reach = { audience: 0, reached: 0, heldBack: 0, heldBackBy: { customer_cap: 0, contact_budget: 0 } };
  for (const { _id: held, count } of rows) {
    reach.audience += count;
    if (held) {
      reach.heldBack += count;
      reach.heldBackBy[held] += count;
    } else reach.reached += count;
  }
  await SocialPost.updateOne(
    { orgId: post.orgId, _id: post._id, 'delivery.state': 'delivering' },
    { $set: { 'stats.reached': reach.reached, 'stats.heldBack': reach.heldBack, 'delivery.decided': reach.audience, 'delivery.movedAt': clock.now() } },
  );
  return reach;
}

/** The organisation's settings as the delivery job needs them (it acts for nobody, so no context). */
async function settingsOf(orgId: mongoose.Types.ObjectId): Promise<OrgSettings> {
  return effectiveSettings((await Organization.findById(orgId, { settings: 1 }).lean())?.settings);
}

/**
 * Continues a post's delivery where it stands (the delivery job): nothing for a post done, failed or gone. A failure
 * that cannot continue gives the post up (`giveUpDelivery`) and is thrown for the job's log.
 */
export async function continueDelivery(orgId: string, postId: string): Promise<void> {
  const post = await SocialPost.findOne({ orgId: new mongoose.Types.ObjectId(orgId), _id: new mongoose.Types.ObjectId(postId) })
    .select('+pendingAudience')
    .lean<SocialPostDoc>();
  if (post?.delivery?.state !== 'delivering') return;
  try {
    await deliverBatches(post, post.pendingAudience ?? [], await settingsOf(post.orgId));
  } catch (err) {
    // A database out of reach or a write undone by a conflict is no reason to give up: the post stays delivering and
    // the job's next run (or the stalled-delivery sweep) continues it, counting nobody twice.
    if (isDatabaseUnreachable(err) || isTransientWriteConflict(err)) throw err;
    // Step by step, stopping at the first that fails: a post still delivering is then continued by the sweep.
    await giveUpDelivery(post).catch(() => undefined);
    throw err;
  }
}

/**
 * A post whose delivery cannot go on: failed, shown to nobody any more, and every touch its mark counted given back
 * (as a small post that fails is taken back). The post stays, so its author's pages say what happened.
 */
async function giveUpDelivery(post: SocialPostDoc): Promise<void> {
  const { orgId, _id: postId } = post;
  await Delivery.deleteMany({ orgId, postId });
  await refundTouches(orgId, post.pendingAudience ?? [], channelOf[post.kind], await settingsOf(orgId), postId, post.createdAt);
  await SocialPost.updateOne(
    { orgId, _id: postId },
    { $set: { 'delivery.state': 'failed', 'delivery.decided': 0, 'stats.reached': 0, 'stats.heldBack': 0 }, $unset: { pendingAudience: 1 } },
  );
}

/** Posts still delivering whose progress has not moved for a while: their job died with its process (the sweep continues them). */
export async function stalledDeliveries(): Promise<{ orgId: string; postId: string }[]> {
  const before = new Date(clock.now().getTime() - fanoutLimits.stalledAfterMs);
  const posts = await SocialPost.find({ 'delivery.state': 'delivering', 'delivery.movedAt': { $lt: before } }, { orgId: 1 })
    .setOptions({ allOrgs: true })
    .limit(100)
    .lean();
  return posts.map((post) => ({ orgId: String(post.orgId), postId: String(post._id) }));
}

/** A new post and its deliveries: none can exist yet, so even a duplicate means the post cannot be stored whole. */
async function insertEveryOne<T>(model: Model<T>, docs: object[], shared?: object): Promise<void> {
  const { duplicates } = await insertNewDocuments(model, docs, shared);
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
