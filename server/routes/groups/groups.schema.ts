import { z } from 'zod';
import { arrayOf, optionalId, optionalNumber, optionalText, requiredText } from '../../domain/input-fields.js';
import { socialLimits } from '../../domain/settings.js';
import type { KeptGroupFields } from '../../services/groups/group-answers.js';
import { customerListQuery } from '../customers/customers.schema.js';
import { postContentSchema, recordId, receivedPictures } from '../schemas/post.schema.js';

/** An id in the address; the service answers 404 for a group (or member) out of reach. */
export const idParams = z.object({ id: z.string() });
export const memberParams = z.object({ id: z.string(), customerId: z.string() });

export const groupSchema = z.object({
  name: requiredText(socialLimits.groupNameMax),
  notice: optionalText(socialLimits.groupNoticeMax),
  storeId: optionalId,
  cap: optionalNumber(2, 2000).pipe(z.number().int('out_of_range').optional()),
});

/**
 * The API's PATCH body: what is sent is judged laid over what the group keeps, as a whole, once the group is known to
 * be the actor's (a group out of reach is refused before anything about the body).
 */
export const groupPatchBody = z.unknown().transform(
  (body) =>
    (kept: KeptGroupFields): z.output<typeof groupSchema> =>
      groupSchema.parse({ ...kept, ...(body as object) }),
);

export const addMemberSchema = z.object({ customerId: recordId });
export const addMembersSchema = z.object({
  customerIds: arrayOf(recordId).pipe(z.array(recordId).min(1, 'required').max(socialLimits.membersPerAddMax, 'too_many')),
});

/** The page's post form: words, a link and pictures chosen on the page. */
export const groupPostForm = postContentSchema.extend({ images: receivedPictures });

export const groupListQuery = z.object({ status: z.enum(['active', 'archived']).optional() });
export const memberListQuery = z.object({
  limit: optionalNumber(1, 500).pipe(z.number().int('out_of_range').default(100)),
  skip: optionalNumber(0, 1_000_000).pipe(z.number().int('out_of_range').default(0)),
});
export const postListQuery = z.object({ limit: optionalNumber(1, 100).pipe(z.number().int('out_of_range').default(30)) });
export const statsQuery = z.object({ days: optionalNumber(1, 366).pipe(z.number().int('out_of_range').default(30)) });

/**
 * The group page's search for customers to add: a search it cannot run is no search, never an error page. The page's
 * forms keep it in their address, so a form shown again still shows what was found.
 */
export const groupPageQuery = z.object({ q: customerListQuery.shape.q.catch('') });
