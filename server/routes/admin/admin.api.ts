import type { RouteSpec } from '../../http/gate.js';
import { storeApiRoutes } from './stores.api.js';
import { staffApiRoutes } from './staff.api.js';
import { settingsApiRoutes } from './settings.api.js';

/** /api/v1/stores, /api/v1/staff and /api/v1/org/settings. */
export const adminApiRoutes: RouteSpec[] = [...storeApiRoutes, ...staffApiRoutes, ...settingsApiRoutes];
