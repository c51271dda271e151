import type { ServiceContext } from '../../services/context.js';
import type { Reach } from '../../services/limits/contact-budget.js';
import { localTimeOf } from '../../services/limits/usage.js';
import type { MomentDetail, MomentListItem, Quota } from '../../services/moments/moments.js';
import { momentPage, momentsPage } from '../../services/console/moments-page.js';
import { socialLimits } from '../../domain/settings.js';
import { presentDelivery, presentPost, presentPostDetail, type ImageBase } from '../../presenters/post.js';
import type { PublishedPost } from '../../services/posts/publish.js';
import { presentCampaignTask } from '../../presenters/campaign.js';
import { presentTag, presentTagGroup } from '../../presenters/tag.js';
import { presentReach, reachSentence } from '../../presenters/reach.js';
import { fieldList } from '../../http/forms.js';

/** View models of the moments pages and payloads of the moments API: what a view or a client gets, never a document. */

type T = (key: string, params?: Record<string, unknown>) => string;

/**
 * The confirmation of a post (moment, group post, campaign task): what was done, then what actually happened to its
 * audience, never the preview; for a large audience still being delivered, how far it is. A flash for the page the
 * person is sent on to.
 */
export function reachConfirmed(t: T, doneKey: string, post: Pick<PublishedPost, 'reach' | 'delivery' | 'stats'>) {
  const delivery = presentDelivery(post);
  if (delivery.state === 'delivering') return { key: 'reach.delivering', params: { done: t(doneKey), decided: delivery.decided, total: delivery.total } };
  return { key: 'reach.confirmed', params: { done: t(doneKey), outcome: reachSentence(t, post.reach, 'outcome') } };
}

/**
 * Where the author goes from the moments page after publishing: back to it, or, while the post is being delivered,
 * to the page that shows the progress (a campaign's group post: its group's posts).
 */
export function publishedPostPath(post: Pick<PublishedPost, '_id' | 'kind' | 'groupId' | 'delivery' | 'stats'>): string {
  if (presentDelivery(post).state !== 'delivering') return '/moments';
  return post.kind === 'group' ? `/groups/${String(post.groupId)}#posts` : `/moments/${String(post._id)}`;
}

// --- API payloads ------------------------------------------------------------------------------------------------

export const momentListPayload = (items: MomentListItem[], limit: number, base: ImageBase) => ({
  items: items.map((post) => presentPost(post, base)),
  // A full page may have more behind it: the next one starts after its last moment.
  nextBefore: items.length === limit ? String(items[items.length - 1]!._id) : null,
});

/** What the composer's audience would reach if the moment went out now. */
export const reachPreviewPayload = (reach: Reach, t: T) => presentReach(t, reach, 'preview');

export const quotaPayload = (quota: Quota) => ({ ...quota, resetsAt: quota.resetsAt.toISOString() });

export const momentPayload = (moment: MomentDetail, base: ImageBase) => presentPostDetail(moment, base);

// --- The moments page --------------------------------------------------------------------------------------------

type MomentsPage = Awaited<ReturnType<typeof momentsPage>>;

/** The moments page: today's quota and the composer (for those who post), open campaign tasks, and the posts within reach. */
export function momentsModel(page: MomentsPage, ctx: ServiceContext, t: T, extra: Record<string, unknown> = {}) {
  const { canPublish, hasTasks, quota, reach, posts, tasks, tags, tagNames, timezone } = page;
  return {
    title: t('moments.title'),
    canPublish,
    hasTasks,
    quota: quota ? { ...quota, resetsAtLocal: localTimeOf(quota.resetsAt, timezone) } : null,
    reachLine: reach ? reachSentence(t, reach, 'preview') : null,
    textMax: socialLimits.postTextMax,
    imagesMax: socialLimits.postImagesMax,
    tagGroups: tags ? tags.groups.map((g) => presentTagGroup(g)) : [],
    personalTags: tags ? tags.personal.map((tag) => presentTag(tag)) : [],
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

/** What the kit hands over when a form is shown again. */
type Again = { ctx: ServiceContext; params: { id: string }; t: T; body: Record<string, unknown> };

/** The composer shown again; its preview is of the tags it was aimed at, only when it was aimed at chosen tags. */
export const composerAgainModel = async ({ ctx, t, body }: Omit<Again, 'params'>) =>
  momentsModel(await momentsPage(ctx, { tagIds: body.audienceMode === 'tags' ? fieldList(body.tagIds) : [] }), ctx, t);

/** The composer's audience as posted, for the form shown again (a single tick comes as one string). */
export const audienceValues = (body: Record<string, unknown>) => ({
  tagIds: fieldList(body.tagIds),
  audienceMode: body.audienceMode === 'tags' ? 'tags' : 'all',
});

/** The page again after a task's button was refused (the quota used up, already done): the message beside that task. */
export const taskAgainModel = async ({ ctx, params, t }: Omit<Again, 'body'>) => momentsModel(await momentsPage(ctx), ctx, t, { errorTaskId: params.id });

// --- A moment's page ---------------------------------------------------------------------------------------------

/** A moment's page: the post, its figures, likes and comments with their replies, and reply forms for those who may answer. */
export function momentDetailModel({ moment, tagNames }: Awaited<ReturnType<typeof momentPage>>, t: T, extra: Record<string, unknown> = {}) {
  const post = presentPostDetail(moment);
  return {
    title: t('moments.detailTitle'),
    post: { ...post, audienceTags: post.audienceTagIds.map((tagId) => tagNames.get(tagId) ?? null) },
    replyMax: socialLimits.commentMax,
    // Reloaded while the delivery goes on (as an import's page is), until the final figures are there.
    refreshSeconds: post.delivery.state === 'delivering' ? 1 : null,
    ...extra,
  };
}

/** The moment's page with a refused reply beside the comment it answers. */
export const replyAgainModel = async ({ ctx, params, t }: { ctx: ServiceContext; params: { id: string; commentId: string }; t: T }) =>
  momentDetailModel(await momentPage(ctx, params.id), t, { errorCommentId: params.commentId });

/** Where a reply is seen: under the comment it answers. */
export const commentAnchor = (postId: string, commentId: string) => `/moments/${encodeURIComponent(postId)}#comment-${encodeURIComponent(commentId)}`;

/** A post just published, with what actually happened to its audience. */
export const publishedPayload = (post: MomentListItem & { reach: Reach }, base: ImageBase, t: T) => ({
  ...presentPost(post, base),
  reach: presentReach(t, post.reach, 'outcome'),
});
