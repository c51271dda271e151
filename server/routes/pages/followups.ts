import type { Request } from 'express';
import { route, ctxOf, type RouteSpec } from '../define.js';
import { fieldList, handleForm } from '../forms.js';
import { flash } from '../flash.js';
import { tr } from '../translate.js';
import { eventInputOf, eventSchema, followupDoneForm, followupSnoozeForm, inboxQuery, reportQuery, ruleSchema } from '../schemas/followup.schema.js';
import { followupCompletion, followupInbox, namesForTasks, updateFollowup } from '../../services/followups/tasks.js';
import { digestBannerFor } from '../../services/followups/digests.js';
import { createOrgEvent, deleteOrgEvent, getFollowupRule, listFollowupRules, updateFollowupRule, updateOrgEvent, type EffectiveRule, nextOccasionDate, oneOffDate } from '../../services/followups/rules.js';
import { addDays } from '../../services/followups/calendar.js';
import { listTagGroups } from '../../services/tags/tags.js';
import { listStoreChoices } from '../../services/org/stores.js';
import { listAssignableOwners } from '../../services/org/staff.js';
import { dayLabel, nearDayLabel, presentFollowup, presentRule } from '../../presenters/followup.js';
import { presentTagGroup } from '../../presenters/tag.js';
import { can, scopeOf } from '../../policies/permissions.js';
import { followupOutcomes } from '../../models/followup-task.js';
import { latestConversations } from '../../services/chat/agent-chat.js';
import { orgToday } from '../../services/org/settings.js';

async function inboxModel(req: Request, extra: Record<string, unknown> = {}) {
  const ctx = ctxOf(req);
  const query = inboxQuery.parse(req.query);
  const seesOthers = scopeOf(ctx.actor, 'followup.read') !== 'own';
  const inbox = await followupInbox(ctx, { ownerId: query.owner });
  const all = [...inbox.lists.today, ...inbox.lists.overdue, ...inbox.lists.upcoming];
  const [names, owners, digest, conversations] = await Promise.all([
    namesForTasks(ctx, all),
    seesOthers ? listAssignableOwners(ctx) : Promise.resolve([]),
    digestBannerFor(ctx.orgId, ctx.actor.id, inbox.today),
    latestConversations(ctx, all.map((task) => task.customerId)),
  ]);
  const present = (list: typeof all) =>
    list.map((task) => {
      const view = presentFollowup(task, names, req.locale, inbox.today);
      const chatSessionId = conversations.get(view.customerId);
      return {
        ...view,
        canWork: can(ctx.actor, 'followup.work', { ownerId: view.ownerId, storeId: view.storeId }),
        snoozedLabel: view.snoozeUntil ? nearDayLabel(view.snoozeUntil, inbox.today, req.locale) : null,
        chatUrl: chatSessionId ? `/console/agent#session=${chatSessionId}` : null,
      };
    });
  return {
    title: tr(req, 'followups.title'),
    today: inbox.today,
    todayLabel: dayLabel(inbox.today, req.locale),
    minSnooze: addDays(inbox.today, 1),
    sections: [
      { name: 'today', items: present(inbox.lists.today), count: inbox.counts.today },
      { name: 'overdue', items: present(inbox.lists.overdue), count: inbox.counts.overdue },
      { name: 'upcoming', items: present(inbox.lists.upcoming), count: inbox.counts.upcoming },
    ],
    digest: digest ? { ...digest, allDone: digest.today + digest.overdue === 0 } : null,
    outcomes: followupOutcomes,
    owners: owners.map((s) => ({ id: String(s._id), name: s.realName })),
    owner: query.owner ?? '',
    showOwner: seesOthers,
    ...extra,
  };
}

/** Where a form on the inbox returns to: the same list (an owner filter stays). */
function backToInbox(req: Request): string {
  const owner = typeof req.query.owner === 'string' && /^[0-9a-f]{24}$/.test(req.query.owner) ? `?owner=${req.query.owner}` : '';
  return `/followups${owner}`;
}

function taskForm<S extends typeof followupDoneForm | typeof followupSnoozeForm>(path: string, schema: S, toChange: (input: ReturnType<S['parse']>) => Parameters<typeof updateFollowup>[2], messageKey: string): RouteSpec {
  return route({
    method: 'post',
    path,
    access: { permission: 'followup.work' },
    handler: (req, res) =>
      handleForm(req, res, {
        schema,
        view: 'pages/followups/inbox',
        model: () => inboxModel(req, { errorTaskId: String(req.params.id) }),
        onValid: async (input) => {
          await updateFollowup(ctxOf(req), String(req.params.id), toChange(input as ReturnType<S['parse']>));
          flash(req, 'success', messageKey);
          return backToInbox(req);
        },
      }),
  });
}

/** The rules page shows a past one-off event on its own day. */
function shownDateOf(rule: EffectiveRule, today: string): string | null {
  return nextOccasionDate(rule, today) ?? (rule.event ? oneOffDate(rule.event) : null);
}

async function rulesModel(req: Request, extra: Record<string, unknown> = {}) {
  const ctx = ctxOf(req);
  const [rules, today] = await Promise.all([listFollowupRules(ctx), orgToday(ctx)]);
  return {
    title: tr(req, 'followupRules.title'),
    rules: rules.map((rule) => {
      const next = shownDateOf(rule, today);
      return { ...presentRule(rule, req.locale), nextDate: next, nextDateLabel: next ? nearDayLabel(next, today, req.locale) : null, path: `/followups/rules/${encodeURIComponent(rule.occasion)}` };
    }),
    ...(await audienceChoices(req)),
    values: { enabled: 'on', leadDays: 7 },
    ...extra,
  };
}

async function audienceChoices(req: Request) {
  const ctx = ctxOf(req);
  const [tags, stores] = await Promise.all([listTagGroups(ctx), listStoreChoices(ctx)]);
  return {
    tagGroups: tags.groups.map((g) => presentTagGroup(g)),
    stores: stores.map((s) => ({ id: String(s._id), name: s.name })),
    months: Array.from({ length: 12 }, (_, i) => i + 1),
    days: Array.from({ length: 31 }, (_, i) => i + 1),
  };
}


async function ruleEditModel(req: Request) {
  const ctx = ctxOf(req);
  const rule = presentRule(await getFollowupRule(ctx, String(req.params.occasion)), req.locale);
  return {
    title: rule.label,
    rule,
    action: `/followups/rules/${encodeURIComponent(rule.occasion)}`,
    ...(await audienceChoices(req)),
  };
}

export const followupPageRoutes: RouteSpec[] = [
  route({ method: 'get', path: '/followups', access: { permission: 'followup.read' }, handler: async (req, res) => res.render('pages/followups/inbox', await inboxModel(req)) }),
  taskForm('/followups/:id/done', followupDoneForm, (input) => ({ status: 'done', outcome: (input as { outcome: (typeof followupOutcomes)[number] }).outcome }), 'followups.doneSaved'),
  taskForm('/followups/:id/snooze', followupSnoozeForm, (input) => ({ status: 'snoozed', snoozeUntil: (input as { snoozeUntil: string }).snoozeUntil }), 'followups.snoozeSaved'),
  route({
    method: 'post',
    path: '/followups/:id/reopen',
    access: { permission: 'followup.work' },
    handler: async (req, res) => {
      await updateFollowup(ctxOf(req), String(req.params.id), { status: 'open' });
      flash(req, 'success', 'followups.reopened');
      res.redirect(303, backToInbox(req));
    },
  }),
  route({
    method: 'get',
    path: '/followups/report',
    access: { permission: 'followup.report' },
    handler: async (req, res) => {
      const parsed = reportQuery.safeParse(req.query);
      const report = await followupCompletion(ctxOf(req), parsed.success ? parsed.data : {});
      res.render('pages/followups/report', { title: tr(req, 'followupReport.title'), ...report, values: { from: report.from, to: report.to }, outcomes: followupOutcomes, formError: parsed.success ? undefined : tr(req, 'validation.invalid_date') });
    },
  }),
  route({ method: 'get', path: '/followups/rules', access: { permission: 'followup.rules' }, handler: async (req, res) => res.render('pages/followups/rules', await rulesModel(req)) }),
  route({
    method: 'post',
    path: '/followups/rules',
    access: { permission: 'followup.rules' },
    handler: (req, res) =>
      handleForm(req, res, {
        schema: eventSchema,
        view: 'pages/followups/rules',
        model: () => rulesModel(req),
        formValues: (body) => ({ tagIds: fieldList(body.tagIds), storeIds: fieldList(body.storeIds) }),
        onValid: async (input) => {
          await createOrgEvent(ctxOf(req), eventInputOf(input));
          flash(req, 'success', 'followupRules.eventAdded');
          return '/followups/rules';
        },
      }),
  }),
  route({
    method: 'get',
    path: '/followups/rules/:occasion',
    access: { permission: 'followup.rules' },
    handler: async (req, res) => {
      const model = await ruleEditModel(req);
      const { rule } = model;
      res.render('pages/followups/rule-edit', {
        ...model,
        values: { enabled: rule.enabled ? 'on' : '', leadDays: rule.leadDays, message: rule.message, tagIds: rule.tagIds, storeIds: rule.storeIds, ...(rule.event ? { name: rule.event.name, month: rule.event.month, day: rule.event.day, year: rule.event.year ?? '' } : {}) },
      });
    },
  }),
  route({
    method: 'post',
    path: '/followups/rules/:occasion',
    access: { permission: 'followup.rules' },
    handler: async (req, res) => {
      const ctx = ctxOf(req);
      const occasion = String(req.params.occasion);
      const isEvent = (await getFollowupRule(ctx, occasion)).kind === 'event';
      const common = { view: 'pages/followups/rule-edit', model: () => ruleEditModel(req), formValues: (body: Record<string, unknown>) => ({ tagIds: fieldList(body.tagIds), storeIds: fieldList(body.storeIds) }) };
      const done = () => {
        flash(req, 'success', 'followupRules.saved');
        return '/followups/rules';
      };
      if (isEvent) {
        return handleForm(req, res, { ...common, schema: eventSchema, onValid: async (input) => (await updateOrgEvent(ctx, occasion, eventInputOf(input)), done()) });
      }
      return handleForm(req, res, { ...common, schema: ruleSchema, onValid: async (input) => (await updateFollowupRule(ctx, occasion, input), done()) });
    },
  }),
  route({
    method: 'post',
    path: '/followups/rules/:occasion/delete',
    access: { permission: 'followup.rules' },
    handler: async (req, res) => {
      await deleteOrgEvent(ctxOf(req), String(req.params.occasion));
      flash(req, 'success', 'followupRules.eventDeleted');
      res.redirect(303, '/followups/rules');
    },
  }),
];
