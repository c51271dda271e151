import type { RouteSpec } from '../define.js';

/** /api/v1/groups. */
export const groupApiRoutes: RouteSpec[] = [];
