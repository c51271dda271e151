import type { RouteSpec } from '../../http/gate.js';
import { page, redirect } from '../../http/surfaces.js';
import { homePathFor } from '../../presenters/staff.js';
import * as consoles from './consoles.endpoints.js';
import { adminConsoleModel, agentConsoleModel, clerkConsoleModel, managerConsoleModel } from './consoles.view.js';

export const consolePageRoutes: RouteSpec[] = [
  redirect.get('/', consoles.home, { to: (actor) => homePathFor(actor) }),
  page.get('/console/clerk', consoles.clerkConsole, { view: 'pages/consoles/clerk', model: (summary, { locale, t }) => clerkConsoleModel(summary, locale, t) }),
  page.get('/console/agent', consoles.agentConsole, {
    view: 'pages/consoles/agent',
    headers: { 'Cache-Control': 'no-store' },
    model: (data, { ctx, locale, t }) => agentConsoleModel(data, ctx, locale, t),
  }),
  page.get('/console/manager', consoles.managerConsole, { view: 'pages/consoles/manager', model: (summary, { t }) => managerConsoleModel(summary, t) }),
  page.get('/console/marketer', consoles.marketerConsole, {
    view: 'pages/consoles/marketer',
    model: (summary, { t }) => ({ title: t('nav.marketer'), ...summary }),
  }),
  page.get('/console/admin', consoles.adminConsole, { view: 'pages/consoles/admin', model: (summary, { t }) => adminConsoleModel(summary, t) }),
];
