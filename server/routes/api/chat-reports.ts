import { route, ctxOf, type RouteSpec } from '../define.js';
import { chatReportQuery, chatReportRange } from '../schemas/chat-report.schema.js';
import { chatReport, chatReportToday, liveOverview } from '../../services/chat/reports.js';

/** /api/v1/chat/reports and /api/v1/chat/live: the figures of the report page, as JSON. */
export const chatReportApiRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/chat/reports',
    access: { permission: 'chat.report' },
    handler: async (req, res) => {
      const ctx = ctxOf(req);
      const range = chatReportRange(chatReportQuery.parse(req.query), await chatReportToday(ctx));
      const report = await chatReport(ctx, range);
      res.json({ from: report.from, to: report.to, timezone: report.timezone, rows: report.rows, totals: report.totals });
    },
  }),
  route({
    method: 'get',
    path: '/chat/live',
    access: { permission: 'chat.report' },
    handler: async (req, res) => res.json(await liveOverview(ctxOf(req))),
  }),
];
