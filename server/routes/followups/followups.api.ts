import type { RouteSpec } from '../../http/gate.js';
import { api } from '../../http/surfaces.js';
import * as followups from './followups.endpoints.js';
import { presentRule } from '../../presenters/followup.js';
import { presentJob } from '../../presenters/job.js';
import { holidayPayloads, rulePayloads, taskPayload, taskPayloads } from './followups.view.js';

/** /api/v1: follow-up tasks, rules, holidays and the organisation's jobs. `/followups/report` comes before `/followups/:id` (Express matches in order). */
export const followupApiRoutes: RouteSpec[] = [
  api.get('/holidays', followups.holidays, { present: (festivals, { t }) => holidayPayloads(festivals, t) }),
  api.get('/followups', followups.listTasks, {
    present: async ({ items, total }, { ctx, input, locale }) => ({
      items: await taskPayloads(ctx, items, locale),
      total,
      page: input.query.page,
      limit: input.query.limit,
    }),
  }),
  api.get('/followups/report', followups.report),
  api.get('/followups/:id', followups.showTask, { present: (task, { ctx, locale }) => taskPayload(ctx, task, locale) }),
  api.patch('/followups/:id', followups.changeTask, { present: (task, { ctx, locale }) => taskPayload(ctx, task, locale) }),
  api.get('/followup-rules', followups.listRules, { present: (rules, { locale }) => rulePayloads(rules, locale) }),
  api.post('/followup-rules', followups.addEventApi, { status: 201, present: (rule, { locale }) => presentRule(rule, locale) }),
  api.patch('/followup-rules/:occasion', followups.patchRuleApi, { present: (rule, { locale }) => presentRule(rule, locale) }),
  api.delete('/followup-rules/:occasion', followups.deleteEvent, { status: 204 }),
  api.get('/jobs', followups.listJobs, { present: (jobs) => ({ items: jobs.map(presentJob) }) }),
  api.post('/jobs/:id/retry', followups.retryJob, { status: 202, present: () => ({ queued: true }) }),
];
