import type { RouteSpec } from '../../http/gate.js';
import { api, form, page } from '../../http/surfaces.js';
import { pictureForm } from '../../http/picture-forms.js';
import * as moments from './moments.endpoints.js';
import { publishTask, skipTask } from '../campaigns/campaigns.endpoints.js';
import { postPictures } from '../schemas/post.schema.js';
import {
  audienceValues,
  commentAnchor,
  composerAgainModel,
  momentDetailModel,
  momentsModel,
  publishedPostPath,
  reachConfirmed,
  reachPreviewPayload,
  replyAgainModel,
  taskAgainModel,
} from './moments.view.js';

const momentsView = 'pages/moments/index';

/**
 * The moments page: the composer, a clerk's campaign tasks (publish or skip: a refusal, such as the quota used up,
 * comes back on the page beside its task), and each moment's page with replies under customers' comments.
 */
export const momentPageRoutes: RouteSpec[] = [
  page.get('/moments', moments.momentsPageEndpoint, { view: momentsView, model: (page, { ctx, t }) => momentsModel(page, ctx, t) }),
  pictureForm.post('/moments', moments.publishMomentForm, {
    pictures: postPictures,
    view: momentsView,
    model: composerAgainModel,
    values: audienceValues,
    flash: (post, _input, t) => reachConfirmed(t, 'moments.published', post),
    redirect: publishedPostPath,
  }),
  form.post('/moments/tasks/:id/publish', publishTask, {
    view: momentsView,
    model: taskAgainModel,
    flash: (post, _input, t) => reachConfirmed(t, 'moments.tasks.published', post),
    redirect: publishedPostPath,
  }),
  form.post('/moments/tasks/:id/skip', skipTask, {
    view: momentsView,
    model: taskAgainModel,
    flash: 'moments.tasks.skipped',
    redirect: '/moments',
  }),
  // The composer's script asks again when the audience changes; before /moments/:id, which would take "reach" as an id.
  api.get('/moments/reach', moments.previewMomentReach, { present: (reach, { t }) => reachPreviewPayload(reach, t), headers: { 'Cache-Control': 'no-store' } }),
  page.get('/moments/:id', moments.momentPageEndpoint, { view: 'pages/moments/detail', model: (page, { t }) => momentDetailModel(page, t) }),
  form.post('/moments/:id/comments/:commentId/replies', moments.replyToMomentComment, {
    flash: 'moments.replies.sent',
    redirect: (reply) => commentAnchor(reply.postId, reply.commentId),
    view: 'pages/moments/detail',
    model: replyAgainModel,
  }),
];
