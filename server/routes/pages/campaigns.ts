import type { Request, Response } from 'express';
import { z } from 'zod';
import { DateTime } from 'luxon';
import { route, ctxOf, type RouteSpec } from '../define.js';
import { fieldList, handleForm } from '../forms.js';
import { flash } from '../flash.js';
import { tr } from '../translate.js';
import { handlePictureForm } from '../picture-uploads.js';
import type { PictureFile } from '../../services/media/pictures.js';
import { campaignSchema } from '../schemas/social.schema.js';
import { cancelCampaign, listCampaigns, type CampaignReach, type CompletionRow } from '../../services/campaigns/campaigns.js';
import { campaignPage, createCampaignWithReach, newCampaignPage, updateCampaignWithReach, type CampaignDraftTargets, type CampaignFormChoices } from '../../services/campaigns/campaign-page.js';
import { api } from '../../http/surfaces.js';
import { previewDraftCampaignReach } from '../campaigns/campaigns.endpoints.js';
import { presentReach, reachSentence } from '../../presenters/reach.js';
import { socialLimits } from '../../services/settings/org-settings.js';
import { presentCampaign } from '../../presenters/campaign.js';
import { presentTagGroup } from '../../presenters/tag.js';
import { can } from '../../policies/permissions.js';
import { postKinds } from '../../models/social-post.js';
import { clock } from '../../clock.js';


/** The cancel button carries nothing but the CSRF token. */
const cancelForm = z.object({});

/** What a `datetime-local` field shows and sends: the organisation's wall-clock time. */
function localInput(at: Date, timezone: string): string {
  return DateTime.fromJSDate(at, { zone: timezone }).toFormat("yyyy-MM-dd'T'HH:mm");
}

/** Repeated fields (checkboxes) come back as lists, so the form can tick them again. */
const listValues = (body: Record<string, unknown>) => ({ storeIds: fieldList(body.storeIds), tagIds: fieldList(body.tagIds), imageIds: fieldList(body.imageIds) });

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

/** A campaign goes out later: its reach is always said as of now. */
const asOfSentence = (req: Request, reach: CampaignReach) => reachSentence((key, params) => tr(req, key, params), reach, 'asOf', { asOf: reach.asOf, timezone: reach.timezone });

/** The targets of a form shown again, so its preview is of what was chosen; none when the form was not posted. */
function draftOf(body: unknown): CampaignDraftTargets | undefined {
  if (!body || typeof body !== 'object' || !('kind' in body)) return undefined;
  const fields = body as Record<string, unknown>;
  return { kind: fields.kind === 'group' ? 'group' : 'moment', storeIds: fieldList(fields.storeIds), tagIds: fields.kind === 'group' ? [] : fieldList(fields.tagIds) };
}

const withPercent = <R extends Omit<CompletionRow, 'id' | 'name'>>(row: R) => ({ ...row, percent: row.total ? Math.round((row.published / row.total) * 100) : 0 });

async function detailModel(req: Request, extra: Record<string, unknown> = {}) {
  const page = await campaignPage(ctxOf(req), String(req.params.id), { draft: req.method === 'POST' ? draftOf(req.body) : undefined });
  const { completion, editing } = page;
  const view = presentCampaign(page.campaign);
  const choices = presentChoices(page);
  const storeNames = new Map(choices.stores.map((s) => [s.id, s.name]));
  const tagNames = new Map(choices.tagGroups.flatMap((g) => g.tags.map((t) => [t.id, t.name] as const)));
  return {
    title: view.title,
    campaign: { ...view, storeNames: view.storeIds.map((id) => storeNames.get(id) ?? ''), tagNames: view.tagIds.map((id) => tagNames.get(id) ?? '') },
    editing,
    reachLine: page.reach ? asOfSentence(req, page.reach) : null,
    canCancel: editing,
    action: `/campaigns/${view.id}`,
    ...choices,
    completion: completion
      ? {
          tables: [
            { name: 'byStore', label: tr(req, 'campaigns.completion.store'), rows: completion.byStore.map(withPercent) },
            { name: 'byStaff', label: tr(req, 'campaigns.completion.clerk'), rows: completion.byStaff.map(withPercent) },
          ],
          totals: withPercent(completion.totals),
        }
      : null,
    values: { title: view.title, kind: view.kind, text: view.text, link: view.link ?? '', storeIds: view.storeIds, tagIds: view.tagIds, imageIds: view.images.map((i) => i.id), publishAt: localInput(view.publishAt, page.timezone) },
    ...extra,
  };
}

async function newModel(req: Request) {
  const page = await newCampaignPage(ctxOf(req), (req.method === 'POST' ? draftOf(req.body) : undefined) ?? { kind: 'moment', storeIds: [], tagIds: [] });
  return { title: tr(req, 'campaigns.newTitle'), action: '/campaigns', editing: true, ...presentChoices(page), reachLine: asOfSentence(req, page.reach), values: { kind: 'moment', storeIds: [], tagIds: [], imageIds: [] } };
}

/** Create and edit: a multipart form (pictures), parsed like any form; kept pictures come as `imageIds`, new ones as files. */
function campaignForm(req: Request, res: Response, opts: { view: string; model: () => Promise<Record<string, unknown>>; save: (input: z.infer<typeof campaignSchema>, images: PictureFile[]) => Promise<string> }) {
  return handlePictureForm(req, res, {
    schema: campaignSchema,
    view: opts.view,
    model: async (form) => ({ ...(await opts.model()), imagesLost: form.chosen > 0 }),
    formValues: listValues,
    onValid: (input, form) => opts.save(input, form.files),
  });
}

export const campaignPageRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/campaigns',
    access: { permission: 'campaign.read' },
    handler: async (req, res) => {
      const ctx = ctxOf(req);
      const campaigns = await listCampaigns(ctx);
      res.render('pages/campaigns/list', { title: tr(req, 'campaigns.title'), campaigns: campaigns.map((c) => presentCampaign(c)), canManage: can(ctx.actor, 'campaign.manage') });
    },
  }),
  route({ method: 'get', path: '/campaigns/new', access: { permission: 'campaign.manage' }, handler: async (req, res) => res.render('pages/campaigns/campaign', await newModel(req)) }),
  // The form's script asks again when the targets change; before /campaigns/:id, which would take "reach" as an id.
  api.get('/campaigns/reach', previewDraftCampaignReach, { present: (reach, { t }) => presentReach(t, reach, 'asOf', { asOf: reach.asOf, timezone: reach.timezone }), headers: { 'Cache-Control': 'no-store' } }),
  route({
    method: 'post',
    path: '/campaigns',
    access: { permission: 'campaign.manage' },
    handler: (req, res) =>
      campaignForm(req, res, {
        view: 'pages/campaigns/campaign',
        model: () => newModel(req),
        save: async (input, images) => {
          // A new campaign has no pictures of its own yet; ids posted here would only borrow others'.
          const { campaign, reach } = await createCampaignWithReach(ctxOf(req), { ...input, imageIds: [], images });
          flash(req, 'success', 'reach.confirmed', { done: tr(req, 'campaigns.created'), outcome: asOfSentence(req, reach) });
          return `/campaigns/${String(campaign._id)}`;
        },
      }),
  }),
  route({ method: 'get', path: '/campaigns/:id', access: { permission: 'campaign.read' }, handler: async (req, res) => res.render('pages/campaigns/campaign', await detailModel(req)) }),
  route({
    method: 'post',
    path: '/campaigns/:id',
    access: { permission: 'campaign.manage' },
    handler: (req, res) =>
      campaignForm(req, res, {
        view: 'pages/campaigns/campaign',
        model: () => detailModel(req),
        save: async (input, images) => {
          const { reach } = await updateCampaignWithReach(ctxOf(req), String(req.params.id), { ...input, images });
          flash(req, 'success', 'reach.confirmed', { done: tr(req, 'campaigns.saved'), outcome: asOfSentence(req, reach) });
          return `/campaigns/${String(req.params.id)}`;
        },
      }),
  }),
  route({
    method: 'post',
    path: '/campaigns/:id/cancel',
    access: { permission: 'campaign.manage' },
    handler: (req, res) =>
      handleForm(req, res, {
        schema: cancelForm,
        view: 'pages/campaigns/campaign',
        model: () => detailModel(req),
        onValid: async () => {
          await cancelCampaign(ctxOf(req), String(req.params.id));
          flash(req, 'success', 'campaigns.cancelled');
          return `/campaigns/${String(req.params.id)}`;
        },
      }),
  }),
];
