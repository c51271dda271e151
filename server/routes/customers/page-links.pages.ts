import type { RouteSpec } from '../../http/gate.js';
import { form, page } from '../../http/surfaces.js';
import * as links from './page-links.endpoints.js';
import { pageLinkModel } from './page-links.view.js';

const linkPage = (id: string) => `/customers/${encodeURIComponent(id)}/page-link`;

/**
 * The link page is a GET that changes nothing: opening it again shows the same link, so a link already sent keeps
 * working. A new link is a POST with CSRF whose button says it voids the old one. The token is in the page only
 * (never in an address or the session) and the page is not stored (no-store).
 */
export const customerPageLinkRoutes: RouteSpec[] = [
  page.get('/customers/:id/page-link', links.showPageLink, {
    view: 'pages/customers/page-link',
    headers: { 'Cache-Control': 'no-store' },
    model: (link, { origin, t }) => pageLinkModel(link, origin, t),
  }),
  form.post('/customers/:id/page-link', links.issuePageLink, {
    flash: (link) => (link.revoked ? 'memberLink.reissued' : 'memberLink.issued'),
    redirect: (_link, { params }) => linkPage(params.id),
  }),
  form.post('/customers/:id/page-link/sign-out', links.signOutPage, {
    flash: 'memberLink.signedOut',
    redirect: (_result, { params }) => `/customers/${encodeURIComponent(params.id)}`,
  }),
];
