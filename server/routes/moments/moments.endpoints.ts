import { endpoint } from '../../http/endpoint.js';
import { commentParams, idParams, momentListQuery, momentPageSchema, momentReachQuery, momentSchema, replySchema } from './moments.schema.js';
import { getMoment, listMoments, momentQuota, momentReach, publishMoment, replyToComment } from '../../services/moments/moments.js';
import { momentPage, momentsPage, publishMomentWithAuthor } from '../../services/console/moments-page.js';

/** The moments use cases, each declared once; moments.api.ts and moments.pages.ts serve them. */

const read = { permission: 'moment.read' } as const;
const publish = { permission: 'moment.publish' } as const;

export const listMomentsApi = endpoint({
  access: read,
  input: { query: momentListQuery },
  run: (ctx, { query }) => listMoments(ctx, query),
});

/** The moments page: today's quota and the composer (for those who post), open campaign tasks, and the posts within reach. */
export const momentsPageEndpoint = endpoint({
  access: read,
  run: (ctx) => momentsPage(ctx),
});

export const publishMomentApi = endpoint({
  access: publish,
  input: { body: momentSchema },
  run: (ctx, { body }) => publishMomentWithAuthor(ctx, body),
});

/** The composer on the page, with pictures chosen there. */
export const publishMomentForm = endpoint({
  access: publish,
  input: { body: momentPageSchema },
  run: (ctx, { body }) => publishMoment(ctx, body),
});

export const quota = endpoint({
  access: publish,
  run: (ctx) => momentQuota(ctx),
});

/** What a moment would reach if published now (the composer's preview). */
export const previewMomentReach = endpoint({
  access: publish,
  input: { query: momentReachQuery },
  run: (ctx, { query }) => momentReach(ctx, { tagIds: query.audienceMode === 'all' ? [] : query.tagIds, tagsChosen: query.audienceMode === 'tags' }),
});

export const showMoment = endpoint({
  access: read,
  input: { params: idParams },
  run: (ctx, { params }) => getMoment(ctx, params.id),
});

/** A moment's page: opening her own moment tells the author she has seen what is new on it. */
export const momentPageEndpoint = endpoint({
  access: read,
  input: { params: idParams },
  run: (ctx, { params }) => momentPage(ctx, params.id),
});

/** The shop's answer under a customer's comment. */
export const replyToMomentComment = endpoint({
  access: { permission: 'moment.reply' },
  input: { params: commentParams, body: replySchema },
  run: (ctx, { params, body }) => replyToComment(ctx, { postId: params.id, commentId: params.commentId, text: body.text }),
});
