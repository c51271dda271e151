import { DateTime } from 'luxon';
import type { CampaignDoc } from '../../models/campaign.js';
import { postKinds } from '../../domain/vocabulary.js';
import type { ServiceContext } from '../../services/context.js';
import type { CampaignReach, CompletionRow, TaskView } from '../../services/campaigns/campaigns.js';
import { campaignPage, newCampaignPage, type CampaignFormChoices } from '../../services/campaigns/campaign-page.js';
import { socialLimits } from '../../domain/settings.js';
import { campaignPresenter, presentCampaign, presentCampaignTask } from '../../presenters/campaign.js';
import { presentReach, reachSentence } from '../../presenters/reach.js';
import { presentTagGroup } from '../../presenters/tag.js';
import type { ImageBase } from '../../presenters/post.js';
import { flagsFor } from '../../policies/flags.js';
import { fieldList } from '../../http/forms.js';
import { clock } from '../../clock.js';
import { blankDraft, draftTargetsOf } from './campaigns.schema.js';

/** View models of the campaign pages and payloads of the campaigns API: what a view or a client gets, never a document. */

type T = (key: string, params?: Record<string, unknown>) => string;

// --- API payloads ------------------------------------------------------------------------------------------------

/** A campaign with its pictures where a bearer token fetches them; `publishAt` as an instant. */
export const campaignPayload = (campaign: CampaignDoc, base: ImageBase) => ({
  ...campaignPresenter(base)(campaign),
  publishAt: campaign.publishAt.toISOString(),
});

export const campaignsPayload = (campaigns: CampaignDoc[], base: ImageBase) => ({ items: campaigns.map((campaign) => campaignPayload(campaign, base)) });

/** A campaign goes out later: its reach is what it would be now, and says so (`asOf`). The form's script needs no more. */
export const reachAsOfPreview = (reach: CampaignReach, t: T) => presentReach(t, reach, 'asOf', { asOf: reach.asOf, timezone: reach.timezone });

/** The API's reach adds how many tasks (clerks, or clerks' groups) it would make. */
export const reachAsOfPayload = (reach: CampaignReach, t: T) => ({ ...reachAsOfPreview(reach, t), targets: reach.targets });

export const createdPayload = ({ campaign, reach }: { campaign: CampaignDoc; reach: CampaignReach }, base: ImageBase, t: T) => ({
  ...campaignPayload(campaign, base),
  reach: reachAsOfPayload(reach, t),
});

export const completionPayload = ({ campaign, completion }: { campaign: CampaignDoc; completion: unknown }, base: ImageBase) => ({
  ...campaignPayload(campaign, base),
  completion,
});

export const tasksPayload = (tasks: TaskView[], base: ImageBase) => ({ items: tasks.map((task) => taskPayload(task, base)) });

export const taskPayload = (task: TaskView, base: ImageBase) => ({ ...presentCampaignTask(task), campaign: campaignPayload(task.campaign, base) });

// --- Flashes -----------------------------------------------------------------------------------------------------

/** A campaign goes out later: its reach is always said as of now. */
const asOfSentence = (t: T, reach: CampaignReach) => reachSentence(t, reach, 'asOf', { asOf: reach.asOf, timezone: reach.timezone });

/** What was done to the campaign, then what it would reach as of now. */
export const campaignConfirmed = (t: T, doneKey: string, reach: CampaignReach) => ({
  key: 'reach.confirmed',
  params: { done: t(doneKey), outcome: asOfSentence(t, reach) },
});

// --- The list ----------------------------------------------------------------------------------------------------

export const listModel = (campaigns: CampaignDoc[], ctx: ServiceContext, t: T) => ({
  title: t('campaigns.title'),
  campaigns: campaigns.map((c) => presentCampaign(c)),
  ...flagsFor(ctx.actor, { canManage: 'campaign.manage' }),
});

// --- The form ----------------------------------------------------------------------------------------------------

/** What a `datetime-local` field shows and sends: the organisation's wall-clock time. */
function localInput(at: Date, timezone: string): string {
  return DateTime.fromJSDate(at, { zone: timezone }).toFormat("yyyy-MM-dd'T'HH:mm");
}

/** Repeated fields (checkboxes) come back as lists, so the form can tick them again. */
export const listValues = (body: Record<string, unknown>) => ({
  storeIds: fieldList(body.storeIds),
  tagIds: fieldList(body.tagIds),
  imageIds: fieldList(body.imageIds),
});

/** The form's choices as the view shows them; the earliest publish time is now on the organisation's clock. */
function presentChoices({ stores, tagGroups, timezone }: CampaignFormChoices) {
  return {
    stores: stores.map((s) => ({ id: String(s._id), name: s.name })),
    tagGroups: tagGroups.map((g) => presentTagGroup(g)),
    kinds: postKinds,
    minPublishAt: localInput(clock.now(), timezone),
    textMax: socialLimits.postTextMax,
    imagesMax: socialLimits.postImagesMax,
  };
}

export function newModel(page: Awaited<ReturnType<typeof newCampaignPage>>, t: T) {
  return {
    title: t('campaigns.newTitle'),
    action: '/campaigns',
    editing: true,
    ...presentChoices(page),
    reachLine: asOfSentence(t, page.reach),
    values: { kind: 'moment', storeIds: [], tagIds: [], imageIds: [] },
  };
}

/** What the kit hands over when a form is shown again. */
type Again = { ctx: ServiceContext; params: { id: string }; t: T; body: Record<string, unknown> };

/** The new-campaign form shown again, its preview of the targets that were chosen. */
export async function newAgainModel({ ctx, t, body }: Omit<Again, 'params'>) {
  return newModel(await newCampaignPage(ctx, draftTargetsOf(body) ?? blankDraft), t);
}

// --- A campaign's page -------------------------------------------------------------------------------------------

const withPercent = <R extends Omit<CompletionRow, 'id' | 'name'>>(row: R) => ({
  ...row,
  percent: row.total ? Math.round((row.published / row.total) * 100) : 0,
});

export function detailModel(page: Awaited<ReturnType<typeof campaignPage>>, t: T) {
  const { completion, editing } = page;
  const view = presentCampaign(page.campaign);
  const choices = presentChoices(page);
  const storeNames = new Map(choices.stores.map((s) => [s.id, s.name]));
  const tagNames = new Map(choices.tagGroups.flatMap((g) => g.tags.map((tag) => [tag.id, tag.name] as const)));
  return {
    title: view.title,
    campaign: { ...view, storeNames: view.storeIds.map((id) => storeNames.get(id) ?? ''), tagNames: view.tagIds.map((id) => tagNames.get(id) ?? '') },
    editing,
    reachLine: page.reach ? asOfSentence(t, page.reach) : null,
    canCancel: editing,
    action: `/campaigns/${view.id}`,
    ...choices,
    completion: completion
      ? {
          tables: [
            { name: 'byStore', label: t('campaigns.completion.store'), rows: completion.byStore.map(withPercent) },
            { name: 'byStaff', label: t('campaigns.completion.clerk'), rows: completion.byStaff.map(withPercent) },
          ],
          totals: withPercent(completion.totals),
        }
      : null,
    values: {
      title: view.title,
      kind: view.kind,
      text: view.text,
      link: view.link ?? '',
      storeIds: view.storeIds,
      tagIds: view.tagIds,
      imageIds: view.images.map((i) => i.id),
      publishAt: localInput(view.publishAt, page.timezone),
    },
  };
}

/** A campaign's page with a form on it shown again, its preview of the targets that were chosen. */
export async function detailAgainModel({ ctx, params, t, body }: Again) {
  return detailModel(await campaignPage(ctx, params.id, { draft: draftTargetsOf(body) }), t);
}
