import { SocialPost } from '../../models/social-post.js';
import { CustomerGroup } from '../../models/customer-group.js';
import { Campaign, CampaignTask } from '../../models/campaign.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { mongoose } from '../../db/connect.js';
import { can } from '../../policies/permissions.js';
import { recordFields, scopeFilter } from '../../policies/scopes.js';
import type { ServiceContext } from '../context.js';
import { toObjectId } from '../ids.js';
import { assertImagesInOrg, imageUploader, openImage, type MediaVariant } from './media.js';

const idOf = (value: unknown) => (value ? String(value) : null);

/**
 * A picture reaches a staff member who may read something that shows it: her own upload, a moment or group post in
 * her reach, a campaign she follows or has a task of. Being in the same organisation is not enough: a clerk's
 * tag-targeted post or a campaign not yet published is not for every colleague.
 */
export async function staffMayViewImage(ctx: ServiceContext, imageId: string): Promise<boolean> {
  const orgId = toObjectId(ctx.orgId);
  const id = toObjectId(imageId, 'image');
  if ((await imageUploader(ctx.orgId, imageId)) === ctx.actor.id) return true;
  const posts = await SocialPost.find({ orgId, imageIds: id }, { kind: 1, authorId: 1, storeId: 1, groupId: 1 }).limit(100).lean();
  if (posts.some((p) => p.kind === 'moment' && can(ctx.actor, 'moment.read', { ownerId: idOf(p.authorId), storeId: idOf(p.storeId) }))) return true;
  const groupIds = posts.flatMap((p) => (p.kind === 'group' && p.groupId ? [p.groupId] : []));
  if (groupIds.length) {
    const groups = await CustomerGroup.find({ orgId, _id: { $in: groupIds } }, { ownerId: 1, storeId: 1 }).lean();
    if (groups.some((g) => can(ctx.actor, 'group.read', { ownerId: idOf(g.ownerId), storeId: idOf(g.storeId) }))) return true;
  }
  const campaigns = await Campaign.find({ orgId, imageIds: id }, { _id: 1 }).limit(100).lean();
  if (!campaigns.length) return false;
  if (can(ctx.actor, 'campaign.read') && (await Campaign.exists({ ...scopeFilter(ctx, 'campaign.read', recordFields.campaign), imageIds: id }))) return true;
  return (await CampaignTask.exists({ orgId, campaignId: { $in: campaigns.map((c) => c._id) }, staffId: toObjectId(ctx.actor.id) })) !== null;
}

/** A picture for a staff page or API client; one out of reach answers 404, like one of another organisation. */
export async function openStaffImage(ctx: ServiceContext, imageId: string, variant: MediaVariant) {
  if (!(await staffMayViewImage(ctx, imageId))) throw new NotFoundError('No such image');
  return openImage(ctx.orgId, imageId, variant);
}

/**
 * Pictures named by id in a new post: each must be one the author may already see (her upload, or one of a post or
 * campaign in her reach); anything else, including ids that name nothing, is the same `unknown_image`.
 */
export async function assertImagesInReach(ctx: ServiceContext, ids: string[]): Promise<mongoose.Types.ObjectId[]> {
  const found = await assertImagesInOrg(ctx.orgId, ids);
  for (const id of new Set(ids)) {
    if (!(await staffMayViewImage(ctx, id))) throw new ValidationError({ imageIds: ['unknown_image'] });
  }
  return found;
}
