import { Customer, type CustomerDoc } from '../../models/customer.js';
import { UnauthenticatedError } from '../../errors.js';
import { tokenSigner } from '../auth/signed-tokens.js';
import { socialLimits } from '../../domain/settings.js';
import { mongoose } from '../../db/connect.js';

/**
 * A customer on the public customer page is remembered on a device by a signed token naming the customer: given
 * when an invite page created the customer, or when the customer opens the personal link their clerk shared
 * (a number typed on an invite page proves nothing about an existing customer). The page shows the brand's posts
 * and groups only, never the customer's personal data. Raising the customer's token version signs every device out.
 */
export type MemberContext = { orgId: string; customerId: string };

/** The device's cookie, long-lived. */
const deviceSigner = tokenSigner('customer-page');
/** The personal link a clerk shares: short-lived, exchanged for a device cookie when opened. */
const linkSigner = tokenSigner('customer-page-link');

type TokenHolder = Pick<CustomerDoc, '_id' | 'memberTokenVersion'>;

export function memberTokenFor(customer: TokenHolder): string {
  return deviceSigner.issue(String(customer._id), customer.memberTokenVersion ?? 0, socialLimits.memberTokenDays);
}

/** A link token names the link version it was issued for: only the latest link works, and only once. */
export function memberLinkTokenFor(customer: Pick<CustomerDoc, '_id'>, issued: { version: number; expiresAt: Date }): string {
  return linkSigner.issueUntil(String(customer._id), issued.version, issued.expiresAt);
}

const refuse = () => new UnauthenticatedError('The customer page link is missing, invalid or expired.', { messageKey: 'members.errors.invalidToken' });

/** The customer a valid token names: its organisation and id, for the lookup that checks its version. */
function claimedCustomer(
  orgId: string,
  claim: { id: string; version: number } | null,
): { filter: Record<string, unknown>; claim: { id: string; version: number } } {
  if (!claim || !mongoose.isObjectIdOrHexString(orgId)) throw refuse();
  return { filter: { orgId: new mongoose.Types.ObjectId(orgId), _id: new mongoose.Types.ObjectId(claim.id), erasedAt: null }, claim };
}

/** The customer a device token names, in the given organisation; erased customers and signed-out devices are refused. */
export async function memberFromToken(orgId: string, token: unknown): Promise<{ ctx: MemberContext; customer: CustomerDoc }> {
  const { filter, claim } = claimedCustomer(orgId, deviceSigner.read(token));
  const customer = await Customer.findOne(filter).lean<CustomerDoc>();
  // Customers stored before versions existed have none: version 0.
  if (!customer || (customer.memberTokenVersion ?? 0) !== claim.version) throw refuse();
  return { ctx: { orgId, customerId: claim.id }, customer };
}

/**
 * Refuses a personal link that would not let its holder in, without using it up: the page that offers to open it
 * is a GET, which link previews and scanners fetch too, so only the customer's tap (a POST) spends the link.
 */
export async function assertMemberLinkOpen(orgId: string, token: unknown): Promise<void> {
  const { filter, claim } = claimedCustomer(orgId, linkSigner.read(token));
  if (!(await Customer.exists({ ...filter, memberLinkVersion: claim.version }))) throw refuse();
}

/**
 * The customer a personal link names, used up by opening it (one conditional update): a forwarded link or a
 * screenshot of its QR code lets nobody else in afterwards. The page then remembers the device with a device token.
 */
export async function memberFromLinkToken(orgId: string, token: unknown): Promise<{ ctx: MemberContext; customer: CustomerDoc }> {
  const { filter, claim } = claimedCustomer(orgId, linkSigner.read(token));
  const customer = await Customer.findOneAndUpdate(
    { ...filter, memberLinkVersion: claim.version },
    { $inc: { memberLinkVersion: 1 } },
    { returnDocument: 'after' },
  ).lean<CustomerDoc>();
  if (!customer) throw refuse();
  return { ctx: { orgId, customerId: claim.id }, customer };
}
