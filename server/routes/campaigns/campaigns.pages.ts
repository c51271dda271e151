import type { RouteSpec } from '../../http/gate.js';
import { api, form, page } from '../../http/surfaces.js';
import { pictureForm } from '../../http/picture-forms.js';
import * as campaigns from './campaigns.endpoints.js';
import { postPictures } from '../schemas/post.schema.js';
import { campaignConfirmed, detailAgainModel, detailModel, listModel, listValues, newAgainModel, newModel, reachAsOfPreview } from './campaigns.view.js';

const campaignView = 'pages/campaigns/campaign';

/** The campaign pages: the list, the form to plan one (with pictures), a campaign's page with its completion once fired. */
export const campaignPageRoutes: RouteSpec[] = [
  page.get('/campaigns', campaigns.listAll, { view: 'pages/campaigns/list', model: (list, { ctx, t }) => listModel(list, ctx, t) }),
  page.get('/campaigns/new', campaigns.newCampaign, { view: campaignView, model: (page, { t }) => newModel(page, t) }),
  // The form's script asks again when the targets change; before /campaigns/:id, which would take "reach" as an id.
  api.get('/campaigns/reach', campaigns.previewDraftCampaignReach, {
    present: (reach, { t }) => reachAsOfPreview(reach, t),
    headers: { 'Cache-Control': 'no-store' },
  }),
  pictureForm.post('/campaigns', campaigns.createCampaignForm, {
    pictures: postPictures,
    view: campaignView,
    model: newAgainModel,
    values: listValues,
    flash: ({ reach }, _input, t) => campaignConfirmed(t, 'campaigns.created', reach),
    redirect: ({ campaign }) => `/campaigns/${String(campaign._id)}`,
  }),
  page.get('/campaigns/:id', campaigns.campaignPageEndpoint, { view: campaignView, model: (page, { t }) => detailModel(page, t) }),
  pictureForm.post('/campaigns/:id', campaigns.editCampaignForm, {
    pictures: postPictures,
    view: campaignView,
    model: detailAgainModel,
    values: listValues,
    flash: ({ reach }, _input, t) => campaignConfirmed(t, 'campaigns.saved', reach),
    redirect: (_saved, { params }) => `/campaigns/${params.id}`,
  }),
  form.post('/campaigns/:id/cancel', campaigns.cancel, {
    view: campaignView,
    model: detailAgainModel,
    flash: 'campaigns.cancelled',
    redirect: (_none, { params }) => `/campaigns/${params.id}`,
  }),
];
