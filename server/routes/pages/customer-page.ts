import type { RouteSpec } from '../define.js';

/** Public pages of customers: the group invite page (/g/:key) and the customer page (/my/:orgId) with their feed and groups. */
export const customerSelfPageRoutes: RouteSpec[] = [];
