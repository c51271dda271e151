import type { ChatReport, ChatReportFigures, LiveOverview } from '../../services/chat/reports.js';
import type { ChatReportPage } from '../../services/chat/report-ranges.js';
import type { ChatReportPageQuery } from './chat.schema.js';

/** The report page's model and the report API's payload. */

type T = (key: string, params?: Record<string, unknown>) => string;

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

function liveModel(live: LiveOverview, t: T) {
  return {
    ...live,
    longestWait: duration(live.longestWaitSeconds),
    agents: live.agents.map((a) => ({ ...a, statusLabel: t(`chatReports.status.${a.status}`) })),
  };
}

/** A filter the page could not use answers 400 with the live figures, what was typed and why. */
export const reportPageStatus = (page: ChatReportPage) => (page.report ? 200 : 400);

export function reportPageModel(page: ChatReportPage, query: ChatReportPageQuery, t: T) {
  const title = t('chatReports.title');
  const live = liveModel(page.live, t);
  if (!page.range || !page.report) {
    // Asked days that the defaults turned backwards (a `from` after today) are a range error too.
    const rangeError = query.invalidRange || query.asked !== null;
    return { title, live, values: query.typed, formError: t(rangeError ? 'chatReports.invalidRange' : 'chatReports.invalidDate'), report: null };
  }
  const { report } = page;
  return {
    title,
    live,
    values: page.range,
    today: page.today,
    report: {
      timezone: report.timezone,
      rows: report.rows.map((r) => ({ day: r.day, storeName: r.storeName, agentName: r.agentName, ...figures(r) })),
      totals: figures(report.totals),
    },
  };
}

export function reportPayload(report: ChatReport) {
  return { from: report.from, to: report.to, timezone: report.timezone, rows: report.rows, totals: report.totals };
}
