import type { RouteSpec } from '../../http/gate.js';
import { form, page } from '../../http/surfaces.js';
import * as settings from './settings.endpoints.js';
import { settingsAgainModel, settingsModel } from './settings.view.js';

const VIEW = 'pages/admin/settings';

/** The organisation settings page. */
export const settingsPageRoutes: RouteSpec[] = [
  page.get('/admin/settings', settings.settingsForm, { view: VIEW, model: (org, { t, locale }) => settingsModel(org, t, locale) }),
  form.post('/admin/settings', settings.saveSettings, {
    view: VIEW,
    model: ({ t, locale, body }) => settingsAgainModel(t, locale, body),
    flash: 'settings.saved',
    redirect: '/admin/settings',
  }),
];
