import { z } from 'zod';
import { endpoint } from '../../http/endpoint.js';
import { arrayOf, requiredText } from '../schemas/common.js';
import { socialLimits } from '../../services/settings/org-settings.js';
import { momentReach, replyToComment } from '../../services/moments/moments.js';

/** The moments use cases moved to endpoints so far (the rest of the moments routes are still in pages/ and api/). */

const id = z.string().max(64);

/** The composer sends its audience choice; the API only `tagIds` (none: all the author's customers). */
export const momentReachQuery = z.object({
  audienceMode: z.enum(['all', 'tags']).optional().catch(undefined),
  tagIds: arrayOf(id).pipe(z.array(id).max(socialLimits.audienceTagsMax, 'too_many')),
});

/** What a moment would reach if published now (the composer's preview). */
export const previewMomentReach = endpoint({
  access: { permission: 'moment.publish' },
  input: { query: momentReachQuery },
  run: (ctx, { query }) => momentReach(ctx, { tagIds: query.audienceMode === 'all' ? [] : query.tagIds, tagsChosen: query.audienceMode === 'tags' }),
});

/** The shop's answer under a customer's comment: at most as long as a comment. */
export const replyToMomentComment = endpoint({
  access: { permission: 'moment.reply' },
  input: { params: z.object({ id, commentId: id }), body: z.object({ text: requiredText(socialLimits.commentMax) }) },
  run: (ctx, { params, body }) => replyToComment(ctx, { postId: params.id, commentId: params.commentId, text: body.text }),
});
