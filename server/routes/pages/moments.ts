import type { Request } from 'express';
import { z } from 'zod';
import { route, ctxOf, type RouteSpec } from '../define.js';
import { fieldList, handleForm } from '../forms.js';
import { flash } from '../flash.js';
import { tr } from '../translate.js';
import { handlePictureForm } from '../picture-uploads.js';
import { momentSchema } from '../schemas/social.schema.js';
import { publishMoment } from '../../services/moments/moments.js';
import { momentPage, momentsPage } from '../../services/moments/moment-page.js';
import { publishCampaignTask, skipCampaignTask } from '../../services/campaigns/campaigns.js';
import { api, form } from '../../http/surfaces.js';
import { previewMomentReach, replyToMomentComment } from '../moments/moments.endpoints.js';
import type { ServiceContext } from '../../services/context.js';
import { presentReach, reachSentence } from '../../presenters/reach.js';
import { confirmReach } from '../confirm-reach.js';
import type { Reach } from '../../services/limits/contact-budget.js';
import { localTimeOf } from '../../services/limits/usage.js';
import { socialLimits } from '../../services/settings/org-settings.js';
import { presentPost, presentPostDetail } from '../../presenters/post.js';
import { presentCampaignTask } from '../../presenters/campaign.js';
import { presentTag, presentTagGroup } from '../../presenters/tag.js';

/**
 * The composer's form: `audienceMode` says whether the chosen tags count ("all my customers" ignores ticks left
 * behind), and "chosen tags" with none ticked is a mistake to point out rather than a post to everyone.
 */
const momentPageSchema = momentSchema
  .extend({ audienceMode: z.enum(['all', 'tags']).catch('all') })
  .superRefine((input, issues) => {
    if (input.audienceMode === 'tags' && input.tagIds.length === 0) issues.addIssue({ code: 'custom', path: ['tagIds'], message: 'required' });
  });

/** A campaign task's buttons carry nothing but the CSRF token. */
const taskForm = z.object({});


/** The moments page: today's quota and the composer (for those who post), open campaign tasks, and the posts within reach. */
async function momentsModel(req: Request, extra: Record<string, unknown> = {}, audience: { tagIds?: string[] } = {}) {
  const ctx = ctxOf(req);
  const { canPublish, hasTasks, quota, reach, posts, tasks, tags, tagNames, timezone } = await momentsPage(ctx, audience);
  return {
    title: tr(req, 'moments.title'),
    canPublish,
    hasTasks,
    quota: quota ? { ...quota, resetsAtLocal: localTimeOf(quota.resetsAt, timezone) } : null,
    reachLine: reach ? reachSentence((key, params) => tr(req, key, params), reach, 'preview') : null,
    textMax: socialLimits.postTextMax,
    imagesMax: socialLimits.postImagesMax,
    tagGroups: tags ? tags.groups.map((g) => presentTagGroup(g)) : [],
    personalTags: tags ? tags.personal.map((t) => presentTag(t)) : [],
    values: { audienceMode: 'all', tagIds: [] },
    tasks: tasks.map((task) => presentCampaignTask(task)),
    posts: posts.map((post) => ({
      ...presentPost(post),
      mine: String(post.authorId) === ctx.actor.id,
      // Only the author's own news: what is new for her is hers to see.
      unseen: String(post.authorId) === ctx.actor.id ? (post.unseen ?? 0) : 0,
      audienceTags: post.audienceTagIds.map((id) => tagNames.get(String(id)) ?? null),
    })),
    ...extra,
  };
}

/** A moment's page: the post, its figures, likes and comments with their replies, and reply forms for those who may answer. */
async function momentDetailModel(ctx: ServiceContext, id: string, t: (key: string) => string, extra: Record<string, unknown> = {}) {
  const { moment, tagNames } = await momentPage(ctx, id);
  const post = presentPostDetail(moment);
  return { title: t('moments.detailTitle'), post: { ...post, audienceTags: post.audienceTagIds.map((tagId) => tagNames.get(tagId) ?? null) }, replyMax: socialLimits.commentMax, ...extra };
}

const commentAnchor = (postId: string, commentId: string) => `/moments/${encodeURIComponent(postId)}#comment-${encodeURIComponent(commentId)}`;

/** A task's button: one service call; a refusal (quota used up, already done) comes back on the page with its message. */
function taskAction(path: string, act: (req: Request) => Promise<{ reach: Reach } | void>, doneKey: string): RouteSpec {
  return route({
    method: 'post',
    path,
    access: { permission: 'campaign.task' },
    handler: (req, res) =>
      handleForm(req, res, {
        schema: taskForm,
        view: 'pages/moments/index',
        model: () => momentsModel(req, { errorTaskId: String(req.params.id) }),
        onValid: async () => {
          const done = await act(req);
          if (done) confirmReach(req, doneKey, done.reach);
          else flash(req, 'success', doneKey);
          return '/moments';
        },
      }),
  });
}

export const momentPageRoutes: RouteSpec[] = [
  route({ method: 'get', path: '/moments', access: { permission: 'moment.read' }, handler: async (req, res) => res.render('pages/moments/index', await momentsModel(req)) }),
  route({
    method: 'post',
    path: '/moments',
    access: { permission: 'moment.publish' },
    handler: (req, res) =>
      handlePictureForm(req, res, {
        schema: momentPageSchema,
        view: 'pages/moments/index',
        // Browsers cannot put chosen files back into a file field: the page says so when there were some.
        model: (form) => momentsModel(req, { imagesLost: form.chosen > 0 }, { tagIds: form.fields.audienceMode === 'tags' ? fieldList(form.fields.tagIds) : [] }),
        formValues: (body) => ({ tagIds: fieldList(body.tagIds), audienceMode: body.audienceMode === 'tags' ? 'tags' : 'all' }),
        onValid: async (input, form) => {
          const post = await publishMoment(ctxOf(req), { text: input.text, link: input.link, images: form.files, tagIds: input.audienceMode === 'tags' ? input.tagIds : [] });
          confirmReach(req, 'moments.published', post.reach);
          return '/moments';
        },
      }),
  }),
  taskAction('/moments/tasks/:id/publish', (req) => publishCampaignTask(ctxOf(req), String(req.params.id)), 'moments.tasks.published'),
  taskAction('/moments/tasks/:id/skip', (req) => skipCampaignTask(ctxOf(req), String(req.params.id)), 'moments.tasks.skipped'),
  // The composer's script asks again when the audience changes; before /moments/:id, which would take "reach" as an id.
  api.get('/moments/reach', previewMomentReach, { present: (reach, { t }) => presentReach(t, reach, 'preview'), headers: { 'Cache-Control': 'no-store' } }),
  route({
    method: 'get',
    path: '/moments/:id',
    access: { permission: 'moment.read' },
    handler: async (req, res) => res.render('pages/moments/detail', await momentDetailModel(ctxOf(req), String(req.params.id), (key) => tr(req, key))),
  }),
  form.post('/moments/:id/comments/:commentId/replies', replyToMomentComment, {
    flash: 'moments.replies.sent',
    redirect: (reply) => commentAnchor(reply.postId, reply.commentId),
    view: 'pages/moments/detail',
    model: ({ ctx, params, t }) => momentDetailModel(ctx, params.id, t, { errorCommentId: params.commentId }),
  }),
];
