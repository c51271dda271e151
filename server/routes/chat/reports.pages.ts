import type { RouteSpec } from '../../http/gate.js';
import { page } from '../../http/surfaces.js';
import * as reports from './reports.endpoints.js';
import { reportPageModel, reportPageStatus } from './reports.view.js';

export const chatReportPageRoutes: RouteSpec[] = [
  page.get('/chat/reports', reports.reportPage, {
    view: 'pages/chat/reports',
    status: reportPageStatus,
    model: (result, { input, t }) => reportPageModel(result, input.query, t),
  }),
];
