import { NotFoundError } from '../../errors.js';
import { systemContext } from '../context.js';
import { getOrganization } from '../org/settings.js';
import { effectiveSettings } from '../settings/org-settings.js';
import { groupsOfMember } from '../groups/groups.js';
import { openImage, type MediaVariant } from '../media/media.js';
import { memberMayViewImage, shownPosts } from './feed.js';
import type { MemberContext } from './members.js';

const FEED_POSTS = 20;
const GROUP_POSTS = 10;

/** The customer page: the brand's name, the moments shown to the customer, and their groups with the posts shown in each. */
export async function memberPage(member: MemberContext) {
  const [org, feed, groups] = await Promise.all([getOrganization(systemContext(member.orgId)), shownPosts(member, { kind: 'moment', limit: FEED_POSTS }), groupsOfMember(member)]);
  const groupPosts = await Promise.all(groups.map((group) => shownPosts(member, { kind: 'group', groupId: String(group._id), limit: GROUP_POSTS })));
  return { orgName: org.name, timezone: effectiveSettings(org.settings).timezone, feed, groups: groups.map((group, index) => ({ group, posts: groupPosts[index]! })) };
}

/** A picture for the customer page: only one of a post the customer was shown; anything else is not there. */
export async function openMemberImage(member: MemberContext, imageId: string, variant: MediaVariant) {
  if (!(await memberMayViewImage(member, imageId))) throw new NotFoundError('No such image');
  return openImage(member.orgId, imageId, variant);
}
