import { z } from 'zod';
import { endpoint } from '../../http/endpoint.js';
import { arrayOf } from '../schemas/common.js';
import { postKinds } from '../../models/social-post.js';
import { socialLimits } from '../../services/settings/org-settings.js';
import { campaignReach, previewCampaignReach } from '../../services/campaigns/campaigns.js';

/** The campaign use cases moved to endpoints so far (the rest of the campaign routes are still in pages/ and api/). */

const id = z.string().max(64);

export const campaignReachQuery = z.object({
  kind: z.enum(postKinds).catch('moment'),
  storeIds: arrayOf(id).pipe(z.array(id).max(socialLimits.targetStoresMax, 'too_many')),
  tagIds: arrayOf(id).pipe(z.array(id).max(socialLimits.audienceTagsMax, 'too_many')),
});

/** A campaign being written: what it would reach if its posts went out now. */
export const previewDraftCampaignReach = endpoint({
  access: { permission: 'campaign.manage' },
  input: { query: campaignReachQuery },
  run: (ctx, { query }) => previewCampaignReach(ctx, query),
});

/** A saved campaign: what it would reach now. */
export const savedCampaignReach = endpoint({
  access: { permission: 'campaign.read' },
  input: { params: z.object({ id: z.string() }) },
  run: (ctx, { params }) => campaignReach(ctx, params.id),
});
