import { Customer, type CustomerDoc } from '../../models/customer.js';
import { UnauthenticatedError } from '../../errors.js';
import { tokenSigner } from '../auth/signed-tokens.js';
import { socialLimits } from '../settings/org-settings.js';
import { mongoose } from '../../db/connect.js';

/**
 * A customer on the public customer page: who joined a group through an invite page (or opened a link a clerk
 * shared) is remembered on that device by a signed token naming the customer. The page shows the brand's posts
 * and groups only, never the customer's personal data.
 */
export type MemberContext = { orgId: string; customerId: string };

const signer = tokenSigner('customer-page');

export function memberTokenFor(customer: Pick<CustomerDoc, '_id'>): string {
  return signer.issue(String(customer._id), 0, socialLimits.memberTokenDays);
}

/** The customer a token names, in the given organisation; an erased customer's tokens stop working. */
export async function memberFromToken(orgId: string, token: unknown): Promise<{ ctx: MemberContext; customer: CustomerDoc }> {
  const refuse = () => new UnauthenticatedError('The customer page link is missing, invalid or expired.', { messageKey: 'members.errors.invalidToken' });
  const claim = signer.read(token);
  if (!claim || !mongoose.isObjectIdOrHexString(orgId)) throw refuse();
  const customer = await Customer.findOne({ orgId: new mongoose.Types.ObjectId(orgId), _id: new mongoose.Types.ObjectId(claim.id), erasedAt: null }).lean<CustomerDoc>();
  if (!customer) throw refuse();
  return { ctx: { orgId, customerId: claim.id }, customer };
}
