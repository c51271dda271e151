import { SocialPost, type SocialPostDoc } from '../../models/social-post.js';
import { NotFoundError, RateLimitedError } from '../../errors.js';
import type { ServiceContext } from '../context.js';
import { toObjectId } from '../ids.js';
import { getOrgSettings } from '../org/settings.js';
import { consumeUsage, dayPeriod, localTimeOf, massMessagePeriod, refundUsage, secondsUntil, usageOf } from '../limits/usage.js';
import { checkDraft, withStoredImages, type DraftInput } from '../posts/draft.js';
import { storeAndDeliver, type PublishedPost } from '../posts/publish.js';
import { previewTouches, type Reach } from '../limits/contact-budget.js';
import { withAuthorNames, type MomentListItem } from '../moments/moments.js';
import { getGroup, memberIdsOf } from './groups.js';
import { clock } from '../../clock.js';
import type { OrgSettings } from '../../domain/settings.js';
import type { CustomerGroupDoc } from '../../models/customer-group.js';
import type { mongoose } from '../../db/connect.js';

const allowanceKey = (groupId: string, period: string) => `groupposts:${groupId}:${period}`;

export type GroupPostAllowance = { limit: number; used: number; left: number; nextAllowedAt: Date | null; policy: OrgSettings['massMessagePolicy'] };

/** The group's mass messages in the current period (DOMAIN: a month's days, 7 a week or 1 a day). */
export async function groupPostAllowance(ctx: ServiceContext, group: Pick<CustomerGroupDoc, '_id' | 'orgId'>): Promise<GroupPostAllowance> {
  const settings = await getOrgSettings(ctx);
  const period = massMessagePeriod(settings.massMessagePolicy, clock.now(), settings.timezone);
  const { used } = await usageOf(group.orgId, allowanceKey(String(group._id), period.key));
  return {
    limit: period.limit,
    used,
    left: Math.max(0, period.limit - used),
    nextAllowedAt: used >= period.limit ? period.endsAt : null,
    policy: settings.massMessagePolicy,
  };
}

/**
 * Posts to a group's members, within the group's mass-message allowance, counted in one atomic update after the
 * draft was checked. A refused post says when the next one is allowed; each member is then touched through the
 * contact budget like every other channel.
 */
export async function publishGroupPost(
  ctx: ServiceContext,
  groupId: string,
  input: DraftInput & { campaignId?: mongoose.Types.ObjectId | undefined },
): Promise<PublishedPost> {
  const group = await getGroup(ctx, groupId, 'group.manage');
  // An archived group takes no posts (as it takes no members); a 429 would promise a time when it does.
  if (group.status !== 'active') throw new NotFoundError('No such group');
  const draft = await checkDraft(ctx, input);
  const settings = await getOrgSettings(ctx);
  const now = clock.now();
  const period = massMessagePeriod(settings.massMessagePolicy, now, settings.timezone);
  const key = allowanceKey(String(group._id), period.key);
  if (!(await consumeUsage(group.orgId, key, { limit: period.limit }, period.endsAt))) {
    throw new RateLimitedError('The group has received all the mass messages this period allows.', secondsUntil(period.endsAt, now), {
      code: 'group_post_limit',
      messageKey: 'groups.errors.postLimit',
      params: { nextAllowedAt: period.endsAt.toISOString(), nextAllowedLocal: localTimeOf(period.endsAt, settings.timezone) },
    });
  }
  return withStoredImages(
    ctx,
    draft,
    () => refundUsage(group.orgId, key),
    async (imageIds) =>
      storeAndDeliver(
        group.orgId,
        {
          kind: 'group',
          authorId: toObjectId(ctx.actor.id),
          storeId: group.storeId ?? null,
          groupId: group._id,
          text: draft.text,
          link: draft.link,
          imageIds,
          campaignId: input.campaignId ?? null,
          day: dayPeriod(now, settings.timezone).key,
        },
        await memberIdsOf(group),
        settings,
      ),
  );
}

/**
 * What a post to the group would do now: the members it reaches (all of them: they chose the group; the contact
 * budget is asked like for every channel), and the allowance that may refuse the whole post.
 */
export async function groupPostReach(ctx: ServiceContext, groupId: string): Promise<{ reach: Reach; allowance: GroupPostAllowance }> {
  const group = await getGroup(ctx, groupId, 'group.manage');
  if (group.status !== 'active') throw new NotFoundError('No such group');
  const settings = await getOrgSettings(ctx);
  const [reach, allowance] = await Promise.all([previewTouches(group.orgId, await memberIdsOf(group), 'group_post', settings), groupPostAllowance(ctx, group)]);
  return { reach, allowance };
}

export async function listGroupPosts(ctx: ServiceContext, groupId: string, limit = 30): Promise<MomentListItem[]> {
  const group = await getGroup(ctx, groupId);
  const posts = await SocialPost.find({ orgId: group.orgId, kind: 'group', groupId: group._id }).sort({ _id: -1 }).limit(limit).lean<SocialPostDoc[]>();
  return withAuthorNames(ctx.orgId, posts);
}
