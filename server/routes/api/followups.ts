import type { Request } from 'express';
import { route, ctxOf, type RouteSpec } from '../define.js';
import { eventInputOf, eventSchema, followupChangeSchema, followupListQuery, holidaysQuery, reportQuery, ruleSchema } from '../schemas/followup.schema.js';
import { followupCompletion, getFollowup, listFollowups, namesForTasks, updateFollowup } from '../../services/followups/tasks.js';
import { createOrgEvent, deleteOrgEvent, getFollowupRule, listFollowupRules, updateFollowupRule, updateOrgEvent } from '../../services/followups/rules.js';
import { festivalsIn } from '../../services/followups/holidays.js';
import { listOrgJobs, retryOrgJob } from '../../services/jobs/job-admin.js';
import { presentFollowup, presentFollowupForApi, presentRule } from '../../presenters/followup.js';
import { presentJob } from '../../presenters/job.js';
import type { FollowupTaskDoc } from '../../models/followup-task.js';
import { tr } from '../translate.js';
import { latestConversations } from '../../services/chat/agent-chat.js';

async function taskBodies(req: Request, tasks: FollowupTaskDoc[]) {
  const ctx = ctxOf(req);
  const [names, conversations] = await Promise.all([namesForTasks(ctx, tasks), latestConversations(ctx, tasks.map((task) => task.customerId))]);
  // chatSessionId: the customer's latest conversation, when the caller may serve it (open it in the agent console).
  return tasks.map((task) => ({ ...presentFollowupForApi(presentFollowup(task, names, req.locale)), chatSessionId: conversations.get(String(task.customerId)) ?? null }));
}

export const followupApiRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/holidays',
    access: { signedIn: true },
    handler: (req, res) => {
      const { year } = holidaysQuery.parse(req.query);
      res.json(festivalsIn(year).map((f) => ({ key: f.key, name: tr(req, `occasions.${f.key}`), date: f.date, calendar: f.calendar })));
    },
  }),
  route({
    method: 'get',
    path: '/followups',
    access: { permission: 'followup.read' },
    handler: async (req, res) => {
      const query = followupListQuery.parse(req.query);
      const { items, total } = await listFollowups(ctxOf(req), query);
      res.json({ items: await taskBodies(req, items), total, page: query.page, limit: query.limit });
    },
  }),
  route({
    method: 'get',
    path: '/followups/report',
    access: { permission: 'followup.report' },
    handler: async (req, res) => {
      res.json(await followupCompletion(ctxOf(req), reportQuery.parse(req.query)));
    },
  }),
  route({
    method: 'get',
    path: '/followups/:id',
    access: { permission: 'followup.read' },
    handler: async (req, res) => res.json((await taskBodies(req, [await getFollowup(ctxOf(req), String(req.params.id))]))[0]),
  }),
  route({
    method: 'patch',
    path: '/followups/:id',
    access: { permission: 'followup.work' },
    handler: async (req, res) => {
      const updated = await updateFollowup(ctxOf(req), String(req.params.id), followupChangeSchema.parse(req.body));
      res.json((await taskBodies(req, [updated]))[0]);
    },
  }),
  route({
    method: 'get',
    path: '/followup-rules',
    access: { permission: 'followup.rules' },
    handler: async (req, res) => res.json({ items: (await listFollowupRules(ctxOf(req))).map((rule) => presentRule(rule, req.locale)) }),
  }),
  route({
    method: 'post',
    path: '/followup-rules',
    access: { permission: 'followup.rules' },
    handler: async (req, res) => {
      const input = eventSchema.parse({ enabled: true, leadDays: 7, ...(req.body as object) });
      res.status(201).json(presentRule(await createOrgEvent(ctxOf(req), eventInputOf(input)), req.locale));
    },
  }),
  route({
    method: 'patch',
    path: '/followup-rules/:occasion',
    access: { permission: 'followup.rules' },
    handler: async (req, res) => {
      const ctx = ctxOf(req);
      const occasion = String(req.params.occasion);
      const current = presentRule(await getFollowupRule(ctx, occasion), req.locale);
      const merged = { ...current, ...(current.event ?? {}), year: current.event?.year ?? undefined, ...(req.body as object) };
      const saved = current.kind === 'event' ? await updateOrgEvent(ctx, occasion, eventInputOf(eventSchema.parse(merged))) : await updateFollowupRule(ctx, occasion, ruleSchema.parse(merged));
      res.json(presentRule(saved, req.locale));
    },
  }),
  route({
    method: 'delete',
    path: '/followup-rules/:occasion',
    access: { permission: 'followup.rules' },
    handler: async (req, res) => {
      await deleteOrgEvent(ctxOf(req), String(req.params.occasion));
      res.status(204).end();
    },
  }),
  route({
    method: 'get',
    path: '/jobs',
    access: { permission: 'job.read' },
    handler: async (req, res) => res.json({ items: (await listOrgJobs(ctxOf(req), req.app.locals.agenda)).map(presentJob) }),
  }),
  route({
    method: 'post',
    path: '/jobs/:id/retry',
    access: { permission: 'job.manage' },
    handler: async (req, res) => {
      await retryOrgJob(ctxOf(req), req.app.locals.agenda, String(req.params.id));
      res.status(202).json({ queued: true });
    },
  }),
];
