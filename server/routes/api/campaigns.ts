import type { RouteSpec } from '../define.js';

/** /api/v1/campaigns and /api/v1/campaign-tasks. */
export const campaignApiRoutes: RouteSpec[] = [];
