import { route, ctxOf, type RouteSpec } from '../define.js';
import { tr } from '../translate.js';
import { chatReportQuery, chatReportRange } from '../schemas/chat-report.schema.js';
import { chatReport, chatReportToday, liveOverview, type ChatReportFigures } from '../../services/chat/reports.js';

/** Seconds as m:ss (or h:mm:ss): the same in every language, and it lines up in a table column. */
function duration(seconds: number | null): string {
  if (seconds === null) return '—';
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

function figures(f: ChatReportFigures) {
  return {
    handled: f.handled,
    closed: f.closed,
    firstResponse: duration(f.firstResponseSeconds),
    handling: duration(f.handlingSeconds),
    rating: f.ratingAverage === null ? '—' : f.ratingAverage.toFixed(2),
    ratingCount: f.ratingCount,
  };
}

export const chatReportPageRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/chat/reports',
    access: { permission: 'chat.report' },
    handler: async (req, res) => {
      const ctx = ctxOf(req);
      const [today, live] = await Promise.all([chatReportToday(ctx), liveOverview(ctx)]);
      const parsed = chatReportQuery.safeParse(req.query);
      const range = parsed.success ? chatReportRange(parsed.data, today) : null;
      // The defaults can still make a backwards range (a `to` before the 7 days' start is fine, a `from` after today is not).
      const checked = range ? chatReportQuery.safeParse(range) : parsed;
      const liveView = {
        ...live,
        longestWait: duration(live.longestWaitSeconds),
        agents: live.agents.map((a) => ({ ...a, statusLabel: tr(req, `chatReports.status.${a.status}`) })),
      };
      if (!range || !checked.success) {
        const fields = checked.success ? {} : Object.fromEntries(checked.error.issues.map((i) => [String(i.path[0] ?? '_'), i.message]));
        const rangeError = Object.values(fields).includes('invalid_range');
        const raw = (name: string) => (typeof req.query[name] === 'string' ? (req.query[name] as string).slice(0, 20) : '');
        res.status(400).render('pages/chat/reports', {
          title: tr(req, 'chatReports.title'),
          live: liveView,
          values: { from: raw('from'), to: raw('to') },
          formError: tr(req, rangeError ? 'chatReports.invalidRange' : 'chatReports.invalidDate'),
          report: null,
        });
        return;
      }
      const report = await chatReport(ctx, range);
      res.render('pages/chat/reports', {
        title: tr(req, 'chatReports.title'),
        live: liveView,
        values: range,
        today,
        report: {
          timezone: report.timezone,
          rows: report.rows.map((r) => ({ day: r.day, storeName: r.storeName, agentName: r.agentName, ...figures(r) })),
          totals: figures(report.totals),
        },
      });
    },
  }),
];
