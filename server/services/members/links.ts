import { Customer, type CustomerDoc } from '../../models/customer.js';
import type { ServiceContext } from '../context.js';
import { getCustomer } from '../customers/customers.js';
import { recordAudit } from '../audit/record-audit.js';
import { socialLimits } from '../../domain/settings.js';
import { clock } from '../../clock.js';
import { ConflictError } from '../../errors.js';
import { memberLinkTokenFor } from './members.js';

/**
 * The personal link to a customer's page that their clerk shares (by chat or as a QR code in the store): the way
 * an existing customer gets to their page on a new device. Only staff who may change the customer see or issue it;
 * each link works once, and only the latest one issued.
 */
export type CustomerPageLink = {
  customerId: string;
  customerName: string;
  /** `live`: the link can still be opened; `used`: the customer opened it; `expired`; `none`: never issued, or signed out. */
  state: 'live' | 'used' | 'expired' | 'none';
  /** Only while live: the path holds the token that lets its holder in. */
  path: string | null;
  expiresAt: Date | null;
};

function linkOf(customer: CustomerDoc): CustomerPageLink {
  const base = { customerId: String(customer._id), customerName: customer.name };
  const issued = customer.memberLinkIssued;
  if (!issued) return { ...base, state: 'none', path: null, expiresAt: null };
  // Opening the link raised the version: its token can never work again.
  if ((customer.memberLinkVersion ?? 0) !== issued.version) return { ...base, state: 'used', path: null, expiresAt: issued.expiresAt };
  if (issued.expiresAt.getTime() <= clock.now().getTime()) return { ...base, state: 'expired', path: null, expiresAt: issued.expiresAt };
  const token = memberLinkTokenFor(customer, issued);
  return { ...base, state: 'live', path: `/my/${String(customer.orgId)}/enter?token=${encodeURIComponent(token)}`, expiresAt: issued.expiresAt };
}

/** The link given out last, shown again as it was: looking at it never voids it. */
export async function showCustomerPageLink(ctx: ServiceContext, customerId: string): Promise<CustomerPageLink> {
  return linkOf(await getCustomer(ctx, customerId, 'customer.write'));
}

/** A new link, voiding the one given out before (`revoked` says whether that one could still have been opened). */
export async function issueCustomerPageLink(ctx: ServiceContext, customerId: string): Promise<CustomerPageLink & { revoked: boolean }> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const current = await getCustomer(ctx, customerId, 'customer.write');
    const version = current.memberLinkVersion ?? 0;
    const issued = { version: version + 1, expiresAt: new Date(clock.now().getTime() + socialLimits.memberLinkDays * 86_400_000) };
    // Conditional on the version read, so the version and the link recorded for it change together even when the
    // customer opens the old link (or a colleague issues one) at the same moment. Older records have no version: 0.
    const updated = await Customer.findOneAndUpdate(
      { _id: current._id, orgId: current.orgId, memberLinkVersion: version === 0 ? { $in: [0, null] } : version },
      { $set: { memberLinkVersion: issued.version, memberLinkIssued: issued } },
      { returnDocument: 'after' },
    ).lean<CustomerDoc>();
    if (!updated) continue;
    const revoked = linkOf(current).state === 'live';
    await recordAudit(ctx, 'customer.page_link', { type: 'customer', id: customerId }, { revoked });
    return { ...linkOf(updated), revoked };
  }
  throw new ConflictError('The link changed while a new one was issued; try again.', { code: 'page_link_busy', messageKey: 'memberLink.busy' });
}

/** Signs every device out of the customer's page and voids a link not yet opened. */
export async function signOutCustomerPage(ctx: ServiceContext, customerId: string): Promise<void> {
  const customer = await getCustomer(ctx, customerId, 'customer.write');
  await Customer.updateOne(
    { _id: customer._id, orgId: customer.orgId },
    { $inc: { memberTokenVersion: 1, memberLinkVersion: 1 }, $set: { memberLinkIssued: null } },
  );
  await recordAudit(ctx, 'customer.page_signout', { type: 'customer', id: customerId });
}
