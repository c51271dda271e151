import type { RouteSpec } from '../../http/gate.js';
import { api } from '../../http/surfaces.js';
import * as campaigns from './campaigns.endpoints.js';
import { campaignPayload, campaignsPayload, completionPayload, createdPayload, reachAsOfPayload, tasksPayload } from './campaigns.view.js';
import { publishedPayload } from '../moments/moments.view.js';
import { apiImageBase } from '../media/media.api.js';

/** /api/v1/campaigns (marketers plan) and /api/v1/campaign-tasks (clerks publish or skip). */
export const campaignApiRoutes: RouteSpec[] = [
  api.get('/campaigns', campaigns.listAll, { present: (list) => campaignsPayload(list, apiImageBase) }),
  api.post('/campaigns', campaigns.createCampaign, { status: 201, present: (created, { t }) => createdPayload(created, apiImageBase, t) }),
  // Before /campaigns/:id, which would take "reach" as an id.
  api.get('/campaigns/reach', campaigns.previewDraftCampaignReach, { present: (reach, { t }) => reachAsOfPayload(reach, t) }),
  api.get('/campaigns/:id/reach', campaigns.savedCampaignReach, { present: (reach, { t }) => reachAsOfPayload(reach, t) }),
  api.get('/campaigns/:id', campaigns.showCampaign, { present: (found) => completionPayload(found, apiImageBase) }),
  api.patch('/campaigns/:id', campaigns.patchCampaign, { present: (campaign) => campaignPayload(campaign, apiImageBase) }),
  api.delete('/campaigns/:id', campaigns.cancel, { status: 204 }),

  api.get('/campaign-tasks', campaigns.listMyTasks, { present: (tasks) => tasksPayload(tasks, apiImageBase) }),
  api.post('/campaign-tasks/:id/publish', campaigns.publishTask, { status: 201, present: (post, { t }) => publishedPayload(post, apiImageBase, t) }),
  api.post('/campaign-tasks/:id/skip', campaigns.skipTask, { status: 204 }),
];
