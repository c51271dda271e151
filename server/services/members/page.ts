import { NotFoundError } from '../../errors.js';
import { CustomerGroup, GroupMember, type CustomerGroupDoc } from '../../models/customer-group.js';
import { toObjectId } from '../ids.js';
import { systemContext } from '../context.js';
import { getOrganization } from '../org/settings.js';
import { effectiveSettings } from '../../domain/settings.js';
import { groupsOfMember } from '../groups/groups.js';
import { openImage, type MediaVariant } from '../media/media.js';
import { memberMayViewImage, shownPosts } from './feed.js';
import { Customer } from '../../models/customer.js';
import { shopChannelFor } from '../chat/channels.js';
import { staffCardsById } from '../org/staff-cards.js';
import type { MemberContext } from './members.js';

const FEED_POSTS = 20;
const GROUP_POSTS = 10;

/** The chat channel the customer reaches their shop through: their store's, else the organisation's first. */
async function shopChannelOf(member: MemberContext) {
  const customer = await Customer.findOne({ orgId: toObjectId(member.orgId), _id: toObjectId(member.customerId) }, { storeId: 1 }).lean();
  return shopChannelFor(member.orgId, customer?.storeId ? String(customer.storeId) : null);
}

/**
 * The customer page: the brand's name, the moments shown to the customer, their groups with the posts shown in each,
 * the staff card of each post's author, and the way to reach the shop.
 */
export async function memberPage(member: MemberContext) {
  const [org, feed, groups, shopChannel] = await Promise.all([
    getOrganization(systemContext(member.orgId)),
    shownPosts(member, { kind: 'moment', limit: FEED_POSTS }),
    groupsOfMember(member),
    shopChannelOf(member),
  ]);
  const groupPosts = await Promise.all(groups.map((group) => shownPosts(member, { kind: 'group', groupId: String(group._id), limit: GROUP_POSTS })));
  const authorCards = await staffCardsById(
    member.orgId,
    [...feed, ...groupPosts.flat()].map((post) => post.authorId),
    { orgName: org.name },
  );
  return {
    orgName: org.name,
    timezone: effectiveSettings(org.settings).timezone,
    feed,
    groups: groups.map((group, index) => ({ group, posts: groupPosts[index]! })),
    shopChannel,
    authorCards,
  };
}

/** A picture for the customer page: only one of a post the customer was shown; anything else is not there. */
export async function openMemberImage(member: MemberContext, imageId: string, variant: MediaVariant) {
  if (!(await memberMayViewImage(member, imageId))) throw new NotFoundError('No such image');
  return openImage(member.orgId, imageId, variant);
}

/**
 * After joining through an invite page: the group joined, shown only to those it is theirs to see: the device's own
 * customer when a member of it (who goes on to their page), or the browser that just joined it with a number that
 * was already known. To anyone else, an archived group or a wrong id, it is not there, exactly like an unknown page.
 */
export async function joinedPage(
  orgId: string,
  groupId: string,
  viewer: { member: MemberContext | null; joinedHere: boolean },
): Promise<{ group: CustomerGroupDoc; orgName: string; deviceIsMember: boolean }> {
  const [org, id] = [toObjectId(orgId, 'page'), toObjectId(groupId, 'page')];
  const [group, membership] = await Promise.all([
    CustomerGroup.findOne({ orgId: org, _id: id, status: 'active' }).lean<CustomerGroupDoc>(),
    viewer.member ? GroupMember.exists({ orgId: org, groupId: id, customerId: toObjectId(viewer.member.customerId) }) : Promise.resolve(null),
  ]);
  const deviceIsMember = membership !== null;
  if (!group || !(deviceIsMember || viewer.joinedHere)) throw new NotFoundError('No such page');
  const { name } = await getOrganization(systemContext(orgId));
  return { group, orgName: name, deviceIsMember };
}
