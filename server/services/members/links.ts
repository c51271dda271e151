import { Customer, type CustomerDoc } from '../../models/customer.js';
import type { ServiceContext } from '../context.js';
import { getCustomer } from '../customers/customers.js';
import { recordAudit } from '../audit/record-audit.js';
import { socialLimits } from '../settings/org-settings.js';
import { clock } from '../../clock.js';
import { memberLinkTokenFor } from './members.js';

/**
 * The personal link to a customer's page that their clerk shares (by chat or as a QR code in the store): the way
 * an existing customer gets to their page on a new device. Only staff who may change the customer issue it; each
 * link works once, and only the latest one issued.
 */
export async function customerPageLink(ctx: ServiceContext, customerId: string): Promise<{ path: string; expiresAt: Date; customerName: string }> {
  const current = await getCustomer(ctx, customerId, 'customer.write');
  // A new link voids the one before: only the latest link a clerk gave out works.
  const customer = (await Customer.findOneAndUpdate({ _id: current._id, orgId: current.orgId }, { $inc: { memberLinkVersion: 1 } }, { returnDocument: 'after' }).lean<CustomerDoc>()) ?? current;
  await recordAudit(ctx, 'customer.page_link', { type: 'customer', id: customerId });
  const token = memberLinkTokenFor(customer);
  return {
    path: `/my/${String(customer.orgId)}/enter?token=${encodeURIComponent(token)}`,
    expiresAt: new Date(clock.now().getTime() + socialLimits.memberLinkDays * 86_400_000),
    customerName: customer.name,
  };
}

/** Signs every device out of the customer's page and voids links not yet opened. */
export async function signOutCustomerPage(ctx: ServiceContext, customerId: string): Promise<void> {
  const customer = await getCustomer(ctx, customerId, 'customer.write');
  await Customer.updateOne({ _id: customer._id, orgId: customer.orgId }, { $inc: { memberTokenVersion: 1, memberLinkVersion: 1 } });
  await recordAudit(ctx, 'customer.page_signout', { type: 'customer', id: customerId });
}
