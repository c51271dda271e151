import { NotFoundError } from '../../errors.js';
import { CustomerGroup, GroupMember, type CustomerGroupDoc } from '../../models/customer-group.js';
import { toObjectId } from '../ids.js';
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

/**
 * After joining with a number that already belonged to a customer: the group, and whether this device's customer is
 * a member of it (then the page itself shows the group; otherwise the personal link is the way in).
 */
export async function joinedPage(orgId: string, groupId: string, member: MemberContext | null): Promise<{ group: CustomerGroupDoc; orgName: string; deviceIsMember: boolean }> {
  const org = toObjectId(orgId, 'organisation');
  const group = await CustomerGroup.findOne({ orgId: org, _id: toObjectId(groupId, 'group') }).lean<CustomerGroupDoc>();
  if (!group) throw new NotFoundError('No such group');
  const [{ name }, membership] = await Promise.all([
    getOrganization(systemContext(orgId)),
    member ? GroupMember.exists({ orgId: org, groupId: group._id, customerId: toObjectId(member.customerId) }) : Promise.resolve(null),
  ]);
  return { group, orgName: name, deviceIsMember: membership !== null };
}
