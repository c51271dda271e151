import type { CampaignDoc } from '../../models/campaign.js';
import type { PostKind } from '../../models/social-post.js';
import { can } from '../../policies/permissions.js';
import type { ServiceContext } from '../context.js';
import { getOrgSettings } from '../org/settings.js';
import { listStoreChoices } from '../org/stores.js';
import { listTagGroups } from '../tags/tags.js';
import { withAuthorNames, type MomentListItem } from '../moments/moments.js';
import {
  campaignCompletion,
  campaignIsOpen,
  campaignReach,
  createCampaign,
  getCampaign,
  previewCampaignReach,
  publishCampaignTask,
  updateCampaign,
  type CampaignInput,
  type CampaignReach,
} from './campaigns.js';
import type { Reach } from '../limits/contact-budget.js';

// What the campaign pages and the campaigns API answer with, gathered here so each route makes one service call.

/**
 * What the campaign form offers: the stores to target and enterprise tags only (a marketer's personal tags mean
 * nothing to the clerks who publish), and the organisation's timezone, in which the publish time is typed.
 */
export async function campaignFormChoices(ctx: ServiceContext) {
  const [stores, tags, settings] = await Promise.all([listStoreChoices(ctx), listTagGroups(ctx), getOrgSettings(ctx)]);
  return { stores, tagGroups: tags.groups, timezone: settings.timezone };
}

export type CampaignFormChoices = Awaited<ReturnType<typeof campaignFormChoices>>;

/** What the campaign form's targets are while it is written (a form shown again keeps what was chosen). */
export type CampaignDraftTargets = { kind: PostKind; storeIds: string[]; tagIds: string[] };

/** The new-campaign form: its choices and, for the targets chosen so far, what the campaign would reach now. */
export async function newCampaignPage(ctx: ServiceContext, draft: CampaignDraftTargets) {
  const [choices, reach] = await Promise.all([campaignFormChoices(ctx), previewCampaignReach(ctx, draft)]);
  return { ...choices, reach };
}

/** Creates a campaign and says what it would reach as of now (clerks publish it later). */
export async function createCampaignWithReach(ctx: ServiceContext, input: CampaignInput): Promise<{ campaign: CampaignDoc; reach: CampaignReach }> {
  const campaign = await createCampaign(ctx, input);
  return { campaign, reach: await campaignReach(ctx, String(campaign._id)) };
}

export async function updateCampaignWithReach(ctx: ServiceContext, id: string, input: CampaignInput): Promise<{ campaign: CampaignDoc; reach: CampaignReach }> {
  const campaign = await updateCampaign(ctx, id, input);
  return { campaign, reach: await campaignReach(ctx, String(campaign._id)) };
}

/** A campaign's page: the campaign, whether the actor may still change it, the form's choices, and once fired its completion. */
export async function campaignPage(ctx: ServiceContext, campaignId: string, opts: { draft?: CampaignDraftTargets | undefined } = {}) {
  const campaign = await getCampaign(ctx, campaignId);
  const editing = can(ctx.actor, 'campaign.manage') && campaignIsOpen(campaign);
  const [choices, completion, reach] = await Promise.all([
    campaignFormChoices(ctx),
    campaign.status === 'fired' ? campaignCompletion(ctx, String(campaign._id)) : Promise.resolve(null),
    // Before it goes out, what it would reach now (the edit being typed, when the form comes back); once fired, the posts' own figures tell.
    !campaignIsOpen(campaign)
      ? Promise.resolve<CampaignReach | null>(null)
      : editing && opts.draft
        ? previewCampaignReach(ctx, opts.draft)
        : campaignReach(ctx, String(campaign._id)),
  ]);
  return { campaign, editing, ...choices, completion, reach };
}

/** A campaign with its tasks by store and by clerk, as the API answers (none yet before it fires). */
export async function campaignWithCompletion(ctx: ServiceContext, campaignId: string) {
  const campaign = await getCampaign(ctx, campaignId);
  return { campaign, completion: await campaignCompletion(ctx, String(campaign._id)) };
}

/** What a PATCH keeps of a campaign when the body leaves a field out (ids and the publish time as the API sends them). */
export type KeptCampaignFields = {
  kind: CampaignDoc['kind'];
  title: string;
  text: string;
  link: string;
  imageIds: string[];
  storeIds: string[];
  tagIds: string[];
  publishAt: string;
};

function keptFieldsOf(campaign: CampaignDoc): KeptCampaignFields {
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

/**
 * Changes a campaign from a partial body. The campaign is read first (not found comes before anything about the
 * body), then `parse` checks the body laid over what it keeps, so the whole is validated as one.
 */
export async function changeCampaign(ctx: ServiceContext, campaignId: string, parse: (kept: KeptCampaignFields) => CampaignInput): Promise<CampaignDoc> {
  const current = await getCampaign(ctx, campaignId);
  return updateCampaign(ctx, String(current._id), parse(keptFieldsOf(current)));
}

/** Publishes a campaign task's post and answers with it as lists show it: with its author's name. */
export async function publishCampaignTaskWithAuthor(ctx: ServiceContext, taskId: string): Promise<MomentListItem & { reach: Reach }> {
  const post = await publishCampaignTask(ctx, taskId);
  const [withName] = await withAuthorNames(ctx.orgId, [post]);
  return { ...withName!, reach: post.reach };
}
