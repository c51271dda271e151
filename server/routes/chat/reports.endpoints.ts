import { endpoint } from '../../http/endpoint.js';
import { chatReportPageQuery, chatReportQuery } from './chat.schema.js';
import { chatReportAsked, chatReportPage } from '../../services/chat/report-ranges.js';
import { liveOverview } from '../../services/chat/reports.js';

/** The chat reports: the figures per day, store and agent, and the live overview. */

const report = { permission: 'chat.report' } as const;

export const reportPage = endpoint({ access: report, input: { query: chatReportPageQuery }, run: (ctx, { query }) => chatReportPage(ctx, query.asked) });

export const reportApi = endpoint({ access: report, input: { query: chatReportQuery }, run: (ctx, { query }) => chatReportAsked(ctx, query) });

export const live = endpoint({ access: report, run: (ctx) => liveOverview(ctx) });
