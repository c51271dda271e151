import type { RouteSpec } from '../define.js';

/** /api/v1/media (upload a picture, read it back). */
export const mediaApiRoutes: RouteSpec[] = [];
