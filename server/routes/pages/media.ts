import type { RouteSpec } from '../define.js';

/** Pictures of posts and campaigns for signed-in staff (/media/:id, /media/:id/thumb). */
export const mediaPageRoutes: RouteSpec[] = [];
