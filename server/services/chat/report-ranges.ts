import type { ServiceContext } from '../context.js';
import { addDays, daysBetween, type IsoDate } from '../../domain/calendar.js';
import { CHAT_REPORT_MAX_DAYS, chatReport, chatReportToday, liveOverview, type ChatReport, type LiveOverview } from './reports.js';

/** The days a chat report was asked for; either end may be left out. */
export type AskedRange = { from?: IsoDate | undefined; to?: IsoDate | undefined };

/** The range a report shows: what was asked, else the 7 days up to today (or up to `to`) in the organisation's timezone. */
export function reportRange(asked: AskedRange, today: IsoDate): { from: IsoDate; to: IsoDate } {
  const to = asked.to ?? today;
  return { from: asked.from ?? addDays(to, -6), to };
}

/** Forwards, and no longer than one report covers. */
export function rangeInBounds(from: IsoDate, to: IsoDate): boolean {
  return from <= to && daysBetween(from, to) < CHAT_REPORT_MAX_DAYS;
}

/** The API's report: the asked range with the defaults filled in (one the report refuses is `invalid_input`). */
export async function chatReportAsked(ctx: ServiceContext, asked: AskedRange): Promise<ChatReport> {
  return chatReport(ctx, reportRange(asked, await chatReportToday(ctx)));
}

export type ChatReportPage = { today: IsoDate; live: LiveOverview; range: { from: IsoDate; to: IsoDate } | null; report: ChatReport | null };

/**
 * The report page: the live figures always, and the report of the asked range once it is filled in and still in
 * bounds (the defaults can make a backwards range: a `from` after today). `asked` is null for a filter already refused.
 */
export async function chatReportPage(ctx: ServiceContext, asked: AskedRange | null): Promise<ChatReportPage> {
  const [today, live] = await Promise.all([chatReportToday(ctx), liveOverview(ctx)]);
  const filled = asked ? reportRange(asked, today) : null;
  const range = filled && rangeInBounds(filled.from, filled.to) ? filled : null;
  return { today, live, range, report: range ? await chatReport(ctx, range) : null };
}
