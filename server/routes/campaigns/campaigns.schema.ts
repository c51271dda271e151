import { z } from 'zod';
import { arrayOf, requiredText } from '../../domain/input-fields.js';
import { campaignTaskStatuses, postKinds } from '../../domain/vocabulary.js';
import { socialLimits } from '../../domain/settings.js';
import type { CampaignDraftTargets, KeptCampaignFields } from '../../services/campaigns/campaign-page.js';
import { fieldList } from '../../http/forms.js';
import { postContentSchema, recordId, receivedPictures } from '../schemas/post.schema.js';

export const idParams = z.object({ id: z.string() });

const storeTargets = arrayOf(recordId).pipe(z.array(recordId).max(socialLimits.targetStoresMax, 'too_many'));
const tagTargets = arrayOf(recordId).pipe(z.array(recordId).max(socialLimits.audienceTagsMax, 'too_many'));

/** A publish time from a `datetime-local` field (the organisation's local time) or an ISO instant from the API. */
export const campaignSchema = postContentSchema.extend({
  kind: z.enum(postKinds),
  title: requiredText(socialLimits.campaignTitleMax),
  storeIds: storeTargets,
  tagIds: tagTargets,
  publishAt: requiredText(40),
});

/** The page's form: kept pictures come as `imageIds`, new ones as files. */
export const campaignForm = campaignSchema.extend({ images: receivedPictures });

/** The API's PATCH body: what is sent is judged laid over what the campaign keeps, as a whole, once the campaign is found. */
export const campaignPatchBody = z.unknown().transform(
  (body) =>
    (kept: KeptCampaignFields): z.output<typeof campaignSchema> =>
      campaignSchema.parse({ ...kept, ...(body as object) }),
);

/** The targets the form's script asks the reach of while the campaign is written. */
export const campaignReachQuery = z.object({
  kind: z.enum(postKinds).catch('moment'),
  storeIds: storeTargets,
  tagIds: tagTargets,
});

export const taskListQuery = z.object({ status: z.enum(campaignTaskStatuses).optional() });

/** A form not yet posted aims at moments, anywhere, for everyone. */
export const blankDraft: CampaignDraftTargets = { kind: 'moment', storeIds: [], tagIds: [] };

/** The targets of a form shown again, so its preview is of what was chosen; none when the post held no campaign form. */
export function draftTargetsOf(body: Record<string, unknown>): CampaignDraftTargets | undefined {
  if (!('kind' in body)) return undefined;
  return { kind: body.kind === 'group' ? 'group' : 'moment', storeIds: fieldList(body.storeIds), tagIds: body.kind === 'group' ? [] : fieldList(body.tagIds) };
}
