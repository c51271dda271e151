import { z } from 'zod';
import { arrayOf, optionalId, optionalNumber, optionalText, requiredText } from './common.js';
import { socialLimits } from '../../services/settings/org-settings.js';
import { isSafeLink } from '../../services/posts/content.js';
import { postKinds } from '../../models/social-post.js';

/** Groups, moments and campaigns: forms send strings, the API JSON; both parse here. */
const id = z.string().max(64);

const link = z.preprocess((v) => (v === undefined || v === null ? '' : v), z.string().trim().max(socialLimits.linkMax, 'too_long').refine((v) => v === '' || isSafeLink(v), 'link'));

/** A post's words and pictures uploaded before (API) or kept (an edited campaign). */
export const postContentSchema = z.object({
  text: requiredText(socialLimits.postTextMax),
  link,
  imageIds: arrayOf(id).pipe(z.array(id).max(socialLimits.postImagesMax, 'too_many_images')),
});

export const groupSchema = z.object({
  name: requiredText(socialLimits.groupNameMax),
  notice: optionalText(socialLimits.groupNoticeMax),
  storeId: optionalId,
  cap: optionalNumber(2, 2000).pipe(z.number().int('out_of_range').optional()),
});

export const addMemberSchema = z.object({ customerId: id });
export const addMembersSchema = z.object({ customerIds: arrayOf(id).pipe(z.array(id).min(1, 'required').max(socialLimits.membersPerAddMax, 'too_many')) });

export const momentSchema = postContentSchema.extend({
  /** The API's shape `{audience: {tags: [...]}}`; pages send `tagIds`. */
  audience: z.object({ tags: z.array(id).max(socialLimits.audienceTagsMax, 'too_many').default([]) }).strict().optional(),
  tagIds: arrayOf(id).pipe(z.array(id).max(socialLimits.audienceTagsMax, 'too_many')),
});

export const commentSchema = z.object({ text: requiredText(socialLimits.commentMax) });
export const likeSchema = z.object({ liked: z.preprocess((v) => v === true || v === 'true' || v === '1' || v === 'on', z.boolean()) });

export const joinSchema = z.object({
  name: requiredText(socialLimits.memberNameMax),
  phone: requiredText(socialLimits.phoneInputMax),
});

/** A publish time from a `datetime-local` field (the organisation's local time) or an ISO instant from the API. */
export const campaignSchema = postContentSchema.extend({
  kind: z.enum(postKinds),
  title: requiredText(socialLimits.campaignTitleMax),
  storeIds: arrayOf(id).pipe(z.array(id).max(socialLimits.targetStoresMax, 'too_many')),
  tagIds: arrayOf(id).pipe(z.array(id).max(socialLimits.audienceTagsMax, 'too_many')),
  publishAt: requiredText(40),
});
