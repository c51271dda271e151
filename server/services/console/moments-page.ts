import { can } from '../../policies/permissions.js';
import { ValidationError } from '../../errors.js';
import type { ServiceContext } from '../context.js';
import { toObjectId } from '../ids.js';
import { getOrgSettings } from '../org/settings.js';
import { listTagGroups, tagNamesFor } from '../tags/tags.js';
import { listMyCampaignTasks } from '../campaigns/campaigns.js';
import {
  getMoment,
  listMoments,
  markMomentSeen,
  momentQuota,
  momentReach,
  publishMoment,
  withAuthorNames,
  type MomentDetail,
  type MomentInput,
  type MomentListItem,
} from '../moments/moments.js';
import type { Reach } from '../limits/contact-budget.js';

// What the moments page and the moments API answer with, gathered here so each route makes one service call.

/** How many of the latest moments the page lists. */
const MOMENTS_ON_PAGE = 50;

/**
 * The moments page: today's quota and the tags to aim at (for those who post), open campaign tasks (for those who
 * have them), the moments within reach with their audience tags' names, and the timezone times are shown in.
 */
export async function momentsPage(ctx: ServiceContext, opts: { tagIds?: string[] | undefined } = {}) {
  const canPublish = can(ctx.actor, 'moment.publish');
  const hasTasks = can(ctx.actor, 'campaign.task');
  const [settings, quota, reach, posts, tasks, tags] = await Promise.all([
    getOrgSettings(ctx),
    canPublish ? momentQuota(ctx) : Promise.resolve(null),
    // The composer opens on "all my customers"; choosing tags asks again (momentReach). A form shown again for
    // unknown tags has its message on the field and no preview.
    canPublish
      ? momentReach(ctx, { tagIds: opts.tagIds }).catch((err: unknown) => (err instanceof ValidationError ? null : Promise.reject(err)))
      : Promise.resolve(null),
    listMoments(ctx, { limit: MOMENTS_ON_PAGE }),
    hasTasks ? listMyCampaignTasks(ctx, { status: 'open' }) : Promise.resolve([]),
    canPublish ? listTagGroups(ctx) : Promise.resolve(null),
  ]);
  const tagNames = await tagNamesFor(
    ctx,
    [...new Set(posts.flatMap((p) => p.audienceTagIds.map(String)))].map((id) => toObjectId(id)),
  );
  return { canPublish, hasTasks, quota, reach, posts, tasks, tags, tagNames, timezone: settings.timezone };
}

/** One moment with who liked it and what was said, and the names of the tags it was aimed at. */
export async function momentPage(ctx: ServiceContext, postId: string): Promise<{ moment: MomentDetail; tagNames: Map<string, string> }> {
  const moment = await getMoment(ctx, postId);
  await markMomentSeen(ctx, moment);
  return { moment, tagNames: await tagNamesFor(ctx, moment.audienceTagIds) };
}

/** A new moment as lists show it: with its author's name. */
export async function publishMomentWithAuthor(ctx: ServiceContext, input: MomentInput): Promise<MomentListItem & { reach: Reach }> {
  const post = await publishMoment(ctx, input);
  const [withName] = await withAuthorNames(ctx.orgId, [post]);
  return { ...withName!, reach: post.reach };
}
