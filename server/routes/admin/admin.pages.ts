import type { RouteSpec } from '../../http/gate.js';
import { storePageRoutes } from './stores.pages.js';
import { staffPageRoutes } from './staff.pages.js';
import { settingsPageRoutes } from './settings.pages.js';
import { auditPageRoutes } from './audit.pages.js';
import { jobPageRoutes } from './jobs.pages.js';

/** The admin area's pages (/admin/…); no path here overlaps another resource's, so their order among them is free. */
export const adminPageRoutes: RouteSpec[] = [...storePageRoutes, ...staffPageRoutes, ...settingsPageRoutes, ...auditPageRoutes, ...jobPageRoutes];
