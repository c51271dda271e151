import { z } from 'zod';
import { arrayOf, optionalNumber, requiredText } from '../../domain/input-fields.js';
import { socialLimits } from '../../domain/settings.js';
import { postContentSchema, recordId, receivedPictures } from '../schemas/post.schema.js';

export const idParams = z.object({ id: z.string() });
export const commentParams = z.object({ id: recordId, commentId: recordId });

const audienceTags = arrayOf(recordId).pipe(z.array(recordId).max(socialLimits.audienceTagsMax, 'too_many'));

/** A moment's fields: its audience as `{audience: {tags: [...]}}` (the API) or as `tagIds` (none: all the author's customers). */
const momentFields = postContentSchema.extend({
  audience: z
    .object({ tags: z.array(recordId).max(socialLimits.audienceTagsMax, 'too_many').default([]) })
    .strict()
    .optional(),
  tagIds: audienceTags,
});

export const momentSchema = momentFields.transform(({ audience, tagIds, ...content }) => ({ ...content, tagIds: audience ? audience.tags : tagIds }));

/**
 * The composer's form: `audienceMode` says whether the chosen tags count ("all my customers" ignores ticks left
 * behind), and "chosen tags" with none ticked is a mistake to point out rather than a post to everyone.
 */
export const momentPageSchema = momentFields
  .extend({ audienceMode: z.enum(['all', 'tags']).catch('all'), images: receivedPictures })
  .superRefine((input, issues) => {
    if (input.audienceMode === 'tags' && input.tagIds.length === 0) issues.addIssue({ code: 'custom', path: ['tagIds'], message: 'required' });
  })
  .transform(({ audienceMode, tagIds, text, link, images }) => ({ text, link, images, tagIds: audienceMode === 'tags' ? tagIds : [] }));

/** The composer sends its audience choice; the API only `tagIds` (none: all the author's customers). */
export const momentReachQuery = z.object({
  audienceMode: z.enum(['all', 'tags']).optional().catch(undefined),
  tagIds: audienceTags,
});

export const momentListQuery = z.object({
  limit: optionalNumber(1, 100).pipe(z.number().int('out_of_range').default(20)),
  /** The id of the last moment of the previous page: the next page holds older ones. */
  before: z
    .string()
    .regex(/^[0-9a-f]{24}$/i, 'invalid_id')
    .optional(),
});

/** The shop's answer under a customer's comment: at most as long as a comment. */
export const replySchema = z.object({ text: requiredText(socialLimits.commentMax) });
