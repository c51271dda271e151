import { z } from 'zod';
import { route, ctxOf, type RouteSpec } from '../define.js';
import { campaignSchema } from '../schemas/social.schema.js';
import { cancelCampaign, listCampaigns, listMyCampaignTasks, skipCampaignTask } from '../../services/campaigns/campaigns.js';
import { campaignWithCompletion, changeCampaign, createCampaignWithReach, publishCampaignTaskWithAuthor } from '../../services/campaigns/campaign-page.js';
import { campaignPresenter, presentCampaignTask } from '../../presenters/campaign.js';
import { presentPost } from '../../presenters/post.js';
import type { CampaignDoc } from '../../models/campaign.js';
import { campaignTaskStatuses } from '../../models/campaign.js';
import { apiImageBase } from './media.js';
import { api } from '../../http/surfaces.js';
import { tr } from '../translate.js';
import { previewDraftCampaignReach, savedCampaignReach } from '../campaigns/campaigns.endpoints.js';
import { presentReach } from '../../presenters/reach.js';
import type { CampaignReach } from '../../services/campaigns/campaigns.js';

const taskListQuery = z.object({ status: z.enum(campaignTaskStatuses).optional() });

/** A campaign with its pictures where a bearer token fetches them; `publishAt` as an instant. */
function campaignBody(campaign: CampaignDoc) {
  return { ...campaignPresenter(apiImageBase)(campaign), publishAt: campaign.publishAt.toISOString() };
}

/** A campaign goes out later: its reach is what it would be now, and says so (`asOf`). */
const reachAsOf = (t: (key: string, params?: Record<string, unknown>) => string, reach: CampaignReach) => ({ ...presentReach(t, reach, 'asOf', { asOf: reach.asOf, timezone: reach.timezone }), targets: reach.targets });

/** /api/v1/campaigns (marketers plan) and /api/v1/campaign-tasks (clerks publish or skip). */
export const campaignApiRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/campaigns',
    access: { permission: 'campaign.read' },
    handler: async (req, res) => res.json({ items: (await listCampaigns(ctxOf(req))).map(campaignBody) }),
  }),
  route({
    method: 'post',
    path: '/campaigns',
    access: { permission: 'campaign.manage' },
    handler: async (req, res) => {
      const { campaign, reach } = await createCampaignWithReach(ctxOf(req), campaignSchema.parse(req.body));
      res.status(201).json({ ...campaignBody(campaign), reach: reachAsOf((key, params) => tr(req, key, params), reach) });
    },
  }),
  // Before /campaigns/:id, which would take "reach" as an id.
  api.get('/campaigns/reach', previewDraftCampaignReach, { present: (reach, { t }) => reachAsOf(t, reach) }),
  api.get('/campaigns/:id/reach', savedCampaignReach, { present: (reach, { t }) => reachAsOf(t, reach) }),
  route({
    method: 'get',
    path: '/campaigns/:id',
    access: { permission: 'campaign.read' },
    handler: async (req, res) => {
      const { campaign, completion } = await campaignWithCompletion(ctxOf(req), String(req.params.id));
      res.json({ ...campaignBody(campaign), completion });
    },
  }),
  route({
    method: 'patch',
    path: '/campaigns/:id',
    access: { permission: 'campaign.manage' },
    // The body is laid over what the campaign keeps and parsed as a whole once the campaign is found.
    handler: async (req, res) => res.json(campaignBody(await changeCampaign(ctxOf(req), String(req.params.id), (kept) => campaignSchema.parse({ ...kept, ...(req.body as object) })))),
  }),
  route({
    method: 'delete',
    path: '/campaigns/:id',
    access: { permission: 'campaign.manage' },
    handler: async (req, res) => {
      await cancelCampaign(ctxOf(req), String(req.params.id));
      res.status(204).end();
    },
  }),

  route({
    method: 'get',
    path: '/campaign-tasks',
    access: { permission: 'campaign.task' },
    handler: async (req, res) => {
      const tasks = await listMyCampaignTasks(ctxOf(req), taskListQuery.parse(req.query));
      res.json({ items: tasks.map((task) => ({ ...presentCampaignTask(task), campaign: campaignBody(task.campaign) })) });
    },
  }),
  route({
    method: 'post',
    path: '/campaign-tasks/:id/publish',
    access: { permission: 'campaign.task' },
    handler: async (req, res) => {
      const post = await publishCampaignTaskWithAuthor(ctxOf(req), String(req.params.id));
      res.status(201).json({ ...presentPost(post, apiImageBase), reach: presentReach((key, params) => tr(req, key, params), post.reach, 'outcome') });
    },
  }),
  route({
    method: 'post',
    path: '/campaign-tasks/:id/skip',
    access: { permission: 'campaign.task' },
    handler: async (req, res) => {
      await skipCampaignTask(ctxOf(req), String(req.params.id));
      res.status(204).end();
    },
  }),
];
