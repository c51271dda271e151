import type { RouteSpec } from '../../http/gate.js';
import { api } from '../../http/surfaces.js';
import * as reports from './reports.endpoints.js';
import { reportPayload } from './reports.view.js';

/** /api/v1/chat/reports and /api/v1/chat/live: the figures of the report page, as JSON. */
export const chatReportApiRoutes: RouteSpec[] = [api.get('/chat/reports', reports.reportApi, { present: reportPayload }), api.get('/chat/live', reports.live)];
