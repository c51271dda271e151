import type { RouteSpec } from '../../http/gate.js';
import { form, page } from '../../http/surfaces.js';
import * as followups from './followups.endpoints.js';
import {
  inboxModel,
  loadInboxModel,
  loadRuleEditModel,
  loadRulesModel,
  reportModel,
  ruleEditModel,
  ruleFormValues,
  rulesModel,
  storedRuleValues,
} from './followups.view.js';

/** A task's form refused: the inbox again as it was (its owner filter), with the message beside that task. */
const inboxAgain = ({ ctx, params, input, locale, t }: Parameters<typeof loadInboxModel>[0] & { params: { id: string } }) =>
  loadInboxModel({ ctx, input, locale, t }, { errorTaskId: params.id });

/** The follow-up pages, in their old order: the task actions (`/followups/:id/done` …) come before the rules, which no task id or occasion name collides with. */
export const followupPageRoutes: RouteSpec[] = [
  page.get('/followups', followups.inbox, {
    view: 'pages/followups/inbox',
    model: (inbox, { ctx, input, locale, t }) => inboxModel(inbox, { ctx, owner: input.query.owner, locale, t }),
  }),
  form.post('/followups/:id/done', followups.markDone, {
    view: 'pages/followups/inbox',
    model: inboxAgain,
    flash: 'followups.doneSaved',
    redirect: (_task, { query }) => query.back,
  }),
  form.post('/followups/:id/snooze', followups.snooze, {
    view: 'pages/followups/inbox',
    model: inboxAgain,
    flash: 'followups.snoozeSaved',
    redirect: (_task, { query }) => query.back,
  }),
  form.post('/followups/:id/reopen', followups.reopen, { flash: 'followups.reopened', redirect: (_task, { query }) => query.back }),
  page.get('/followups/report', followups.reportPage, {
    view: 'pages/followups/report',
    model: (report, { input, t }) => reportModel(report, input.query.invalid, t),
  }),
  page.get('/followups/rules', followups.listRules, { view: 'pages/followups/rules', model: (rules, { ctx, locale, t }) => rulesModel(rules, ctx, locale, t) }),
  form.post('/followups/rules', followups.addEventForm, {
    view: 'pages/followups/rules',
    model: ({ ctx, locale, t }) => loadRulesModel(ctx, locale, t),
    values: ruleFormValues,
    flash: 'followupRules.eventAdded',
    redirect: '/followups/rules',
  }),
  page.get('/followups/rules/:occasion', followups.showRule, {
    view: 'pages/followups/rule-edit',
    model: async (rule, { ctx, locale }) => ({ ...(await ruleEditModel(rule, ctx, locale)), values: storedRuleValues(rule, locale) }),
  }),
  form.post('/followups/rules/:occasion', followups.saveRuleForm, {
    view: 'pages/followups/rule-edit',
    model: ({ ctx, params, locale }) => loadRuleEditModel(ctx, params.occasion, locale),
    values: ruleFormValues,
    flash: 'followupRules.saved',
    redirect: '/followups/rules',
  }),
  form.post('/followups/rules/:occasion/delete', followups.deleteEvent, { flash: 'followupRules.eventDeleted', redirect: '/followups/rules' }),
];
