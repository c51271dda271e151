import { endpoint } from '../../http/endpoint.js';
import { blankDraft, campaignForm, campaignPatchBody, campaignReachQuery, campaignSchema, idParams, taskListQuery } from './campaigns.schema.js';
import {
  campaignReach,
  cancelCampaign,
  listCampaigns,
  listMyCampaignTasks,
  previewCampaignReach,
  skipCampaignTask,
} from '../../services/campaigns/campaigns.js';
import {
  campaignPage,
  campaignWithCompletion,
  changeCampaign,
  createCampaignWithReach,
  newCampaignPage,
  publishCampaignTaskWithAuthor,
  updateCampaignWithReach,
} from '../../services/campaigns/campaign-page.js';

/**
 * The campaign use cases, each declared once: marketers plan campaigns, clerks publish or skip their tasks.
 * campaigns.api.ts and campaigns.pages.ts serve them (the tasks' buttons are on the moments page).
 */

const read = { permission: 'campaign.read' } as const;
const manage = { permission: 'campaign.manage' } as const;
const task = { permission: 'campaign.task' } as const;

// --- Campaigns ---------------------------------------------------------------------------------------------------

export const listAll = endpoint({
  access: read,
  run: (ctx) => listCampaigns(ctx),
});

export const createCampaign = endpoint({
  access: manage,
  input: { body: campaignSchema },
  run: (ctx, { body }) => createCampaignWithReach(ctx, body),
});

/** The page's form, with pictures chosen there. */
export const createCampaignForm = endpoint({
  access: manage,
  input: { body: campaignForm },
  // A new campaign has no pictures of its own yet; ids posted here would only borrow others'.
  run: (ctx, { body }) => createCampaignWithReach(ctx, { ...body, imageIds: [] }),
});

/** An empty form: its choices and what a campaign aimed at everyone would reach now. */
export const newCampaign = endpoint({
  access: manage,
  run: (ctx) => newCampaignPage(ctx, blankDraft),
});

export const showCampaign = endpoint({
  access: read,
  input: { params: idParams },
  run: (ctx, { params }) => campaignWithCompletion(ctx, params.id),
});

/** A campaign's page: the campaign, the form while it may still change, and once fired its completion. */
export const campaignPageEndpoint = endpoint({
  access: read,
  input: { params: idParams },
  run: (ctx, { params }) => campaignPage(ctx, params.id),
});

/** The page's form sends the whole campaign: kept pictures as `imageIds`, new ones as files. */
export const editCampaignForm = endpoint({
  access: manage,
  input: { params: idParams, body: campaignForm },
  run: (ctx, { params, body }) => updateCampaignWithReach(ctx, params.id, body),
});

/** The API's PATCH sends what changes: the campaign is found (or refused) before the body is judged. */
export const patchCampaign = endpoint({
  access: manage,
  input: { params: idParams, body: campaignPatchBody },
  run: (ctx, { params, body }) => changeCampaign(ctx, params.id, body),
});

export const cancel = endpoint({
  access: manage,
  input: { params: idParams },
  run: (ctx, { params }) => cancelCampaign(ctx, params.id),
});

/** A campaign being written: what it would reach if its posts went out now. */
export const previewDraftCampaignReach = endpoint({
  access: manage,
  input: { query: campaignReachQuery },
  run: (ctx, { query }) => previewCampaignReach(ctx, query),
});

/** A saved campaign: what it would reach now. */
export const savedCampaignReach = endpoint({
  access: read,
  input: { params: idParams },
  run: (ctx, { params }) => campaignReach(ctx, params.id),
});

// --- A clerk's tasks ---------------------------------------------------------------------------------------------

export const listMyTasks = endpoint({
  access: task,
  input: { query: taskListQuery },
  run: (ctx, { query }) => listMyCampaignTasks(ctx, query),
});

export const publishTask = endpoint({
  access: task,
  input: { params: idParams },
  run: (ctx, { params }) => publishCampaignTaskWithAuthor(ctx, params.id),
});

export const skipTask = endpoint({
  access: task,
  input: { params: idParams },
  run: (ctx, { params }) => skipCampaignTask(ctx, params.id),
});
