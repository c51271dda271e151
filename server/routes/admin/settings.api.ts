import type { RouteSpec } from '../../http/gate.js';
import { api } from '../../http/surfaces.js';
import * as settings from './settings.endpoints.js';
import { orgSettingsPayload } from './settings.view.js';

/** /api/v1/org/settings. */
export const settingsApiRoutes: RouteSpec[] = [
  api.get('/org/settings', settings.readSettings, { present: orgSettingsPayload }),
  api.patch('/org/settings', settings.patchSettings, { present: orgSettingsPayload }),
];
