import type { mongoose } from '../../db/connect.js';
import { CustomerGroup, GroupMember } from '../../models/customer-group.js';
import { Delivery, PostComment, SocialPost } from '../../models/social-post.js';
import { Customer } from '../../models/customer.js';
import { TimelineEvent } from '../../models/timeline-event.js';
import { authorize } from '../../policies/permissions.js';
import type { ServiceContext } from '../context.js';
import { recordAudit } from '../audit/record-audit.js';
import { getCustomer } from './customers.js';
import { domainEvents } from '../events.js';

/**
 * Erasure on the customer's request (PIPL): the personal data goes from the customer and their timeline;
 * store, owner, source and dates stay so counts remain right. The phone is replaced by a unique placeholder,
 * so the number can be registered again as a new customer. Audited without personal data.
 */
export async function eraseCustomer(ctx: ServiceContext, customerId: string): Promise<void> {
  const customer = await getCustomer(ctx, customerId, 'customer.write');
  authorize(ctx.actor, 'customer.erase', {
    storeId: customer.storeId ? String(customer.storeId) : null,
    ownerId: customer.ownerId ? String(customer.ownerId) : null,
  });
  await Customer.updateOne(
    { _id: customer._id, orgId: customer.orgId },
    {
      $set: {
        name: '—',
        phone: `erased:${String(customer._id)}`,
        phoneTail: '',
        gender: 'unknown',
        birthday: null,
        relatives: [],
        birthdayMds: [],
        tagIds: [],
        notes: '',
        erasedAt: new Date(),
      },
    },
  );
  await TimelineEvent.updateMany({ orgId: customer.orgId, customerId: customer._id }, { $set: { data: {} } });
  // Follow-ups and conversations are erased by their domains, as part of this erasure: it fails if they fail.
  await domainEvents.emitEventAndRequire('customers.erased', { orgId: ctx.orgId, customerId: String(customer._id) });
  await eraseGroupActivityOf(customer.orgId, customer._id);
  await recordAudit(ctx, 'customer.erase', { type: 'customer', id: customerId });
}

/**
 * An erased customer leaves their groups (the places they took are freed) and their comments are deleted; the
 * deliveries stay, naming only the anonymous record, so posts keep their reach figures.
 */
async function eraseGroupActivityOf(orgId: mongoose.Types.ObjectId, customerId: mongoose.Types.ObjectId): Promise<void> {
  const memberships = await GroupMember.find({ orgId, customerId }, { groupId: 1 }).lean();
  for (const membership of memberships) {
    const removed = await GroupMember.deleteOne({ orgId, _id: membership._id });
    if (removed.deletedCount === 1) await CustomerGroup.updateOne({ orgId, _id: membership.groupId, memberCount: { $gt: 0 } }, { $inc: { memberCount: -1 } });
  }
  // The posts' figures follow: their likes and comments counted this customer's.
  // Per post, by what was actually deleted: two erasures at once never take a comment off a figure twice.
  const postIds = await PostComment.distinct('postId', { orgId, customerId });
  for (const postId of postIds) {
    const deleted = await PostComment.deleteMany({ orgId, customerId, postId });
    if (deleted.deletedCount) await SocialPost.updateOne({ orgId, _id: postId }, { $inc: { 'stats.comments': -deleted.deletedCount } });
  }
  const likes = await Delivery.find({ orgId, customerId, liked: true }, { postId: 1 }).lean();
  for (const like of likes) {
    const unliked = await Delivery.updateOne({ orgId, _id: like._id, liked: true }, { $set: { liked: false } });
    if (unliked.modifiedCount === 1) await SocialPost.updateOne({ orgId, _id: like.postId }, { $inc: { 'stats.likes': -1 } });
  }
}
