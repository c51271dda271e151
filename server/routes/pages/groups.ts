import type { RouteSpec } from '../define.js';

/** Customer groups (staff pages): list, create, detail with members, invite link and QR code, notice, posts, daily joins and leaves. */
export const groupPageRoutes: RouteSpec[] = [];
