import { Customer } from '../../models/customer.js';
import { TimelineEvent } from '../../models/timeline-event.js';
import { authorize } from '../../policies/permissions.js';
import type { ServiceContext } from '../context.js';
import { recordAudit } from '../audit/record-audit.js';
import { getCustomer } from './customers.js';
import { deleteFollowupsOfCustomer } from '../followups/tasks.js';
import { eraseConversationsOf } from '../chat/erase.js';

/**
 * Erasure on the customer's request (PIPL): the personal data goes from the customer and their timeline;
 * store, owner, source and dates stay so counts remain right. The phone is replaced by a unique placeholder,
 * so the number can be registered again as a new customer. Audited without personal data.
 */
export async function eraseCustomer(ctx: ServiceContext, customerId: string): Promise<void> {
  const customer = await getCustomer(ctx, customerId, 'customer.write');
  authorize(ctx.actor, 'customer.erase', { storeId: customer.storeId ? String(customer.storeId) : null, ownerId: customer.ownerId ? String(customer.ownerId) : null });
  await Customer.updateOne(
    { _id: customer._id, orgId: customer.orgId },
    {
      $set: { name: '—', phone: `erased:${String(customer._id)}`, phoneTail: '', gender: 'unknown', birthday: null, relatives: [], birthdayMds: [], tagIds: [], notes: '', erasedAt: new Date() },
    },
  );
  await TimelineEvent.updateMany({ orgId: customer.orgId, customerId: customer._id }, { $set: { data: {} } });
  await deleteFollowupsOfCustomer(ctx.orgId, customer._id);
  await eraseConversationsOf(customer.orgId, customer._id);
  await recordAudit(ctx, 'customer.erase', { type: 'customer', id: customerId });
}
