import type { RouteSpec } from '../define.js';

/** Campaigns (marketers): list, create, edit or cancel until fired, completion per store and clerk. */
export const campaignPageRoutes: RouteSpec[] = [];
