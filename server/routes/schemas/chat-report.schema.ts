import { z } from 'zod';
import { addDays, daysBetween, isRealDate } from '../../services/followups/calendar.js';
import { CHAT_REPORT_MAX_DAYS } from '../../services/chat/reports.js';

const emptyAsUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);
/** A calendar day that exists (2026-02-30 does not). */
const day = z.preprocess(emptyAsUndefined, z.string('invalid_date').refine(isRealDate, 'invalid_date').optional());

/** `?from=YYYY-MM-DD&to=YYYY-MM-DD`, both optional (the route fills in the last 7 days); from after to is `invalid_range`. */
export const chatReportQuery = z
  .object({ from: day, to: day })
  .superRefine((q, ctx) => {
    if (q.from && q.to && (q.from > q.to || daysBetween(q.from, q.to) >= CHAT_REPORT_MAX_DAYS)) ctx.addIssue({ code: 'custom', path: ['to'], message: 'invalid_range' });
  });

export type ChatReportQuery = z.infer<typeof chatReportQuery>;

/** The range a report shows: what was asked, else the 7 days up to today (or up to `to`) in the organisation's timezone. */
export function chatReportRange(query: ChatReportQuery, today: string): { from: string; to: string } {
  const to = query.to ?? today;
  return { from: query.from ?? addDays(to, -6), to };
}
