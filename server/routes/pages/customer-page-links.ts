import { route, ctxOf, type RouteSpec } from '../define.js';
import { publicOrigin } from '../public-url.js';
import { flash } from '../flash.js';
import { tr } from '../translate.js';
import { customerPageLink, signOutCustomerPage } from '../../services/members/links.js';
import { qrCodeDataUrl } from '../../presenters/qr-code.js';

const detailOf = (id: unknown) => `/customers/${encodeURIComponent(String(id))}`;

/** The personal link to a customer's own page, for the clerk to send or show as a QR code; and signing it out everywhere. */
export const customerPageLinkRoutes: RouteSpec[] = [
  route({
    method: 'post',
    path: '/customers/:id/page-link',
    access: { permission: 'customer.write' },
    handler: async (req, res) => {
      const link = await customerPageLink(ctxOf(req), String(req.params.id));
      const url = `${publicOrigin(req)}${link.path}`;
      // Shown as the answer to the POST, not after a redirect: the link lets its holder in, so it is kept nowhere
      // (no session, no URL, no cache, no history entry of a shared computer).
      res.setHeader('Cache-Control', 'no-store');
      res.render('pages/customers/page-link', {
        title: tr(req, 'memberLink.title'),
        customerId: String(req.params.id),
        customerName: link.customerName,
        url,
        qr: await qrCodeDataUrl(url),
        expiresAt: link.expiresAt,
      });
    },
  }),
  route({
    // Issuing a link voids the one before, so it is a POST with CSRF: a GET (an old bookmark, another site's link) changes nothing.
    method: 'get',
    path: '/customers/:id/page-link',
    access: { permission: 'customer.write' },
    handler: (req, res) => res.redirect(303, detailOf(req.params.id)),
  }),
  route({
    method: 'post',
    path: '/customers/:id/page-link/sign-out',
    access: { permission: 'customer.write' },
    handler: async (req, res) => {
      await signOutCustomerPage(ctxOf(req), String(req.params.id));
      flash(req, 'success', 'memberLink.signedOut');
      res.redirect(303, detailOf(req.params.id));
    },
  }),
];
