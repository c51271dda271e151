import { NotFoundError, RateLimitedError, UnauthenticatedError } from '../../errors.js';
import type { MediaVariant } from '../media/media.js';
import { commentOnPost, leaveGroupAsMember, likePost } from './actions.js';
import { assertMemberLinkOpen, memberFromLinkToken, memberFromToken, memberTokenFor, type MemberContext } from './members.js';
import { joinedPage, memberPage, openMemberImage } from './page.js';

/**
 * The customer's pages as her device asks for them: she is known by the token it holds, or not at all. Each use case
 * is one call here, so a route only names it.
 */

/** The device's customer, or nobody: a token that lets nobody in any more is as good as none (an outage is not). */
async function deviceMember(orgId: string, token: string | undefined): Promise<MemberContext | null> {
  return token ? orNobody(async () => (await memberFromToken(orgId, token)).ctx) : null;
}

/** Her page, or null when the device lets nobody in (the page then explains how to get back). */
export async function memberPageOfDevice(orgId: string, token: string | undefined) {
  const member = await deviceMember(orgId, token);
  return member ? { member, page: await memberPage(member) } : null;
}

/** The page with a refused comment shown again: only reached for a device that was let in a moment ago. */
export async function memberPageShownAgain(orgId: string, token: string | undefined) {
  const shown = await memberPageOfDevice(orgId, token);
  if (!shown) throw new NotFoundError('No such page');
  return shown;
}

/** The group a device joined with a number already known: the device sees which group, nothing more. */
export async function joinedPageOfDevice(orgId: string, groupId: string, token: string | undefined, joinedHere: boolean) {
  return joinedPage(orgId, groupId, { member: await deviceMember(orgId, token), joinedHere });
}

/** Pictures of the posts she was shown; to anyone else there is no such picture. */
export async function openDeviceImage(orgId: string, token: string | undefined, imageId: string, variant: MediaVariant) {
  const member = await deviceMember(orgId, token);
  if (!member) throw new NotFoundError('No such image');
  return openMemberImage(member, imageId, variant);
}

export type DeviceAction = { kind: 'like'; postId: string; liked: boolean } | { kind: 'leave'; groupId: string };
export type MemberAction = { orgId: string; outcome: 'done' | 'signedOut' } | { orgId: string; outcome: 'limited'; refusal: RateLimitedError };

/** A customer's action needs her device; too many actions send her back to her page with the reason, not an error page. */
export async function actFromDevice(orgId: string, token: string | undefined, ip: string, action: DeviceAction): Promise<MemberAction> {
  const member = await deviceMember(orgId, token);
  if (!member) return { orgId, outcome: 'signedOut' };
  try {
    if (action.kind === 'like') await likePost(member, ip, action.postId, action.liked);
    else await leaveGroupAsMember(member, ip, action.groupId);
    return { orgId: member.orgId, outcome: 'done' };
  } catch (err) {
    if (!(err instanceof RateLimitedError)) throw err;
    return { orgId: member.orgId, outcome: 'limited', refusal: err };
  }
}

/** A refused comment (empty, too long, too many) is thrown, so her page is shown again with the message under that post. */
export async function commentFromDevice(orgId: string, token: string | undefined, ip: string, postId: string, text: string): Promise<{ signedOut: boolean }> {
  const member = await deviceMember(orgId, token);
  if (!member) return { signedOut: true };
  await commentOnPost(member, ip, postId, text);
  return { signedOut: false };
}

/**
 * A token or personal link that lets nobody in (expired, replaced, malformed) answers null: the page says so, never
 * an error page. Only that refusal: anything else (the database down) stays an error.
 */
async function orNobody<R>(act: () => Promise<R>): Promise<R | null> {
  try {
    return await act();
  } catch (err) {
    if (err instanceof UnauthenticatedError) return null;
    throw err;
  }
}

/** Opening the link only offers to sign in: previews and scanners fetch links too, and a GET never spends one. */
export function offerLinkEntry<T>(orgId: string, token: T): Promise<{ token: T } | null> {
  return orNobody(async () => (await assertMemberLinkOpen(orgId, token), { token }));
}

/** Her tap spends the link, and her device is remembered with a device token instead. */
export function enterThroughLink(orgId: string, token: unknown): Promise<{ deviceToken: string } | null> {
  return orNobody(async () => ({ deviceToken: memberTokenFor((await memberFromLinkToken(orgId, token)).customer) }));
}
