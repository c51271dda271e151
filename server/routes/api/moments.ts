import type { RouteSpec } from '../define.js';

/** /api/v1/moments. */
export const momentApiRoutes: RouteSpec[] = [];
