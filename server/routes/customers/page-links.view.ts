import type { CustomerPageLink } from '../../services/members/links.js';
import { qrCodeDataUrl } from '../../presenters/qr-code.js';

/** The link as the API gives it: the full address only while it can still be opened. */
export function pageLinkPayload(link: CustomerPageLink & { revoked?: boolean }, origin: string) {
  return {
    customerId: link.customerId,
    state: link.state,
    url: link.path ? `${origin}${link.path}` : null,
    expiresAt: link.expiresAt ? link.expiresAt.toISOString() : null,
    ...(link.revoked === undefined ? {} : { revoked: link.revoked }),
  };
}

export async function pageLinkModel(link: CustomerPageLink, origin: string, t: (key: string, params?: Record<string, unknown>) => string) {
  const url = link.path ? `${origin}${link.path}` : null;
  return {
    title: t('memberLink.title'),
    customerId: link.customerId,
    customerName: link.customerName,
    live: link.state === 'live',
    // Why there is no link to show: never issued, opened by the customer, or out of date.
    stateKey: `memberLink.state.${link.state}`,
    url,
    qr: url ? await qrCodeDataUrl(url) : null,
    expiresAt: link.expiresAt ? link.expiresAt.toISOString() : null,
  };
}
