import type { RouteSpec } from '../../http/gate.js';
import { api } from '../../http/surfaces.js';
import * as links from './page-links.endpoints.js';
import { pageLinkPayload } from './page-links.view.js';

const noStore = { 'Cache-Control': 'no-store' };

/** /api/v1/customers/:id/page-link: reading the link never changes it; a POST replaces it, voiding the one before. */
export const customerPageLinkApiRoutes: RouteSpec[] = [
  api.get('/customers/:id/page-link', links.showPageLink, { headers: noStore, present: (link, { origin }) => pageLinkPayload(link, origin) }),
  api.post('/customers/:id/page-link', links.issuePageLink, { status: 201, headers: noStore, present: (link, { origin }) => pageLinkPayload(link, origin) }),
  api.post('/customers/:id/page-link/sign-out', links.signOutPage, { status: 204 }),
];
