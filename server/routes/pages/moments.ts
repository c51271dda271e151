import type { RouteSpec } from '../define.js';

/** Moments (staff pages): composer with today's quota, my posts with their statistics, campaign tasks. */
export const momentPageRoutes: RouteSpec[] = [];
