import { SocialPost } from '../../models/social-post.js';
import { Campaign } from '../../models/campaign.js';
import { socialLimits } from '../../domain/settings.js';
import { deleteImages, markImagesAttached, unattachedImagesBefore } from '../media/media.js';
import { toObjectId } from '../ids.js';

const SWEEP_BATCH = 500;

/**
 * Removes uploads that no post or campaign shows once their grace period is over, so pictures uploaded and never
 * used do not stay in GridFS for ever. A picture a post or campaign does show is kept (and marked, so it is not
 * looked at again).
 */
export async function sweepUnusedMedia(now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - socialLimits.unattachedMediaHours * 3_600_000);
  let removed = 0;
  for (const { orgId, id } of await unattachedImagesBefore(cutoff, SWEEP_BATCH)) {
    const org = toObjectId(orgId);
    const inUse = (await SocialPost.exists({ orgId: org, imageIds: id })) || (await Campaign.exists({ orgId: org, imageIds: id }));
    if (inUse) {
      await markImagesAttached(orgId, [id]);
      continue;
    }
    await deleteImages(orgId, [id]);
    removed += 1;
  }
  return removed;
}
