import { z } from 'zod';
import { requiredText } from '../schemas/common.js';
import { socialLimits } from '../../domain/settings.js';

/** What customers send on their own pages (joining a group, likes, comments), and what their browser holds for them. */

/** The cookie holding the customer's token on her device. */
export const MEMBER_COOKIE = 'sl_member';

export const joinSchema = z.object({
  name: requiredText(socialLimits.memberNameMax),
  phone: requiredText(socialLimits.phoneInputMax),
});
export const likeSchema = z.object({ liked: z.preprocess((v) => v === true || v === 'true' || v === '1' || v === 'on', z.boolean()) });
const commentSchema = z.object({ text: requiredText(socialLimits.commentMax) });

/** A comment is checked only once the device is known (a stranger is sent to the page first), so it is parsed in the use case. */
export const postedFields = z.unknown().transform((body) => (typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {}));
export const commentOf = (fields: Record<string, unknown>): string => commentSchema.parse(fields).text;

export const inviteParams = z.object({ key: z.string() });
export const pageParams = z.object({ orgId: z.string() });
export const joinedParams = z.object({ orgId: z.string(), groupId: z.string() });
export const postParams = z.object({ orgId: z.string(), postId: z.string() });
export const imageParams = z.object({ orgId: z.string(), imageId: z.string() });

/** Only a well-formed organisation id is a page whose cookie can be forgotten; anything else is no page at all. */
export const forgetParams = z.object({ orgId: z.string() }).transform(({ orgId }) => ({ orgId: /^[0-9a-f]{24}$/i.test(orgId) ? orgId : null }));

/** The personal link's token, as it came (in the address, then in the form): the service decides what it is worth. */
export const linkToken = z.object({ token: z.unknown() });

/** The device's token; a missing or empty cookie is nobody. */
export const deviceCookies = z
  .object({ [MEMBER_COOKIE]: z.string().optional().catch(undefined) })
  .transform((cookies) => ({ token: cookies[MEMBER_COOKIE] || undefined }));

/** The groups this browser joined with a number already known (the session's receipts). */
export const joinReceipts = z.object({ joinedGroupIds: z.array(z.string()).optional().catch(undefined) }).transform((session) => session.joinedGroupIds ?? []);
