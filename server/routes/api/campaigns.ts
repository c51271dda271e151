import { z } from 'zod';
import { route, ctxOf, type RouteSpec } from '../define.js';
import { campaignSchema } from '../schemas/social.schema.js';
import { campaignCompletion, cancelCampaign, createCampaign, getCampaign, listCampaigns, listMyCampaignTasks, publishCampaignTask, skipCampaignTask, updateCampaign } from '../../services/campaigns/campaigns.js';
import { withAuthorNames } from '../../services/moments/moments.js';
import { campaignPresenter, presentCampaignTask } from '../../presenters/campaign.js';
import { presentPost } from '../../presenters/post.js';
import type { CampaignDoc } from '../../models/campaign.js';
import { campaignTaskStatuses } from '../../models/campaign.js';
import { apiImageBase } from './media.js';

const taskListQuery = z.object({ status: z.enum(campaignTaskStatuses).optional() });

/** A campaign with its pictures where a bearer token fetches them; `publishAt` as an instant. */
function campaignBody(campaign: CampaignDoc) {
  return { ...campaignPresenter(apiImageBase)(campaign), publishAt: campaign.publishAt.toISOString() };
}

/** What a PATCH keeps of a campaign when the body leaves a field out. */
function campaignInputOf(campaign: CampaignDoc) {
  return {
    kind: campaign.kind,
    title: campaign.title,
    text: campaign.text,
    link: campaign.link ?? '',
    imageIds: campaign.imageIds.map(String),
    storeIds: campaign.storeIds.map(String),
    tagIds: campaign.tagIds.map(String),
    publishAt: campaign.publishAt.toISOString(),
  };
}

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
    handler: async (req, res) => res.status(201).json(campaignBody(await createCampaign(ctxOf(req), campaignSchema.parse(req.body)))),
  }),
  route({
    method: 'get',
    path: '/campaigns/:id',
    access: { permission: 'campaign.read' },
    handler: async (req, res) => {
      const ctx = ctxOf(req);
      const campaign = await getCampaign(ctx, String(req.params.id));
      res.json({ ...campaignBody(campaign), completion: await campaignCompletion(ctx, String(campaign._id)) });
    },
  }),
  route({
    method: 'patch',
    path: '/campaigns/:id',
    access: { permission: 'campaign.manage' },
    handler: async (req, res) => {
      const ctx = ctxOf(req);
      const current = await getCampaign(ctx, String(req.params.id));
      const input = campaignSchema.parse({ ...campaignInputOf(current), ...(req.body as object) });
      res.json(campaignBody(await updateCampaign(ctx, String(current._id), input)));
    },
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
      const ctx = ctxOf(req);
      const post = await publishCampaignTask(ctx, String(req.params.id));
      const [withName] = await withAuthorNames(ctx.orgId, [post]);
      res.status(201).json(presentPost(withName!, apiImageBase));
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
