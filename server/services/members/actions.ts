import { countJoin } from '../groups/join-limits.js';
import { joinByInvite, leaveGroup } from '../groups/groups.js';
import { addComment, setLike } from './feed.js';
import { countMemberAction } from './member-limits.js';
import { memberTokenFor, type MemberContext } from './members.js';

/**
 * What a customer does on her pages, each counted against the limits of her address (and of her, once she is known)
 * before it is done: one call per use case for the routes.
 */

/** Only a customer this join created is remembered on the device: anyone can type a number someone else owns. */
export async function joinGroupByInvite(
  ip: string,
  inviteKey: string,
  input: { name: string; phone: string },
): Promise<{ orgId: string; groupId: string; groupName: string; deviceToken: string | null }> {
  await countJoin(ip);
  const { customer, created, group } = await joinByInvite(inviteKey, input);
  return { orgId: String(customer.orgId), groupId: String(group._id), groupName: group.name, deviceToken: created ? memberTokenFor(customer) : null };
}

export async function likePost(member: MemberContext, ip: string, postId: string, liked: boolean): Promise<void> {
  await countMemberAction(member, ip);
  await setLike(member, postId, liked);
}

export async function commentOnPost(member: MemberContext, ip: string, postId: string, text: string): Promise<void> {
  await countMemberAction(member, ip);
  await addComment(member, postId, text);
}

export async function leaveGroupAsMember(member: MemberContext, ip: string, groupId: string): Promise<void> {
  await countMemberAction(member, ip);
  await leaveGroup(member, groupId);
}
