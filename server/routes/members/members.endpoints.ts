import { endpoint } from '../../http/endpoint.js';
import { toAppError } from '../../middlewares/errors.js';
import { NotFoundError, RateLimitedError } from '../../errors.js';
import { invitePage } from '../../services/groups/group-page.js';
import { assertMemberLinkOpen, memberFromLinkToken, memberFromToken, memberTokenFor, type MemberContext } from '../../services/members/members.js';
import { commentOnPost, joinGroupByInvite, leaveGroupAsMember, likePost } from '../../services/members/actions.js';
import { joinedPage, memberPage, openMemberImage } from '../../services/members/page.js';
import type { MediaVariant } from '../../services/media/media.js';
import {
  commentOf,
  deviceCookies,
  forgetParams,
  imageParams,
  inviteParams,
  joinedParams,
  joinReceipts,
  joinSchema,
  likeSchema,
  linkToken,
  pageParams,
  postedFields,
  postParams,
} from './members.schema.js';

/**
 * The customer's own pages: the group invite page (/g/:key) and her page of a brand (/my/:orgId) with its feed and
 * groups. Nobody is signed in: she is known by the token her device holds (a cookie), or by her personal link.
 */

/** The device's customer, or nobody: a token that lets nobody in any more is as good as none. */
async function deviceMember(orgId: string, token: string | undefined): Promise<MemberContext | null> {
  if (!token) return null;
  try {
    return (await memberFromToken(orgId, token)).ctx;
  } catch (err) {
    if (toAppError(err)) return null;
    throw err;
  }
}

/** A personal link that lets nobody in (expired, replaced, malformed) is said as such, never as an error page. */
async function throughLink<R>(act: () => Promise<R>): Promise<R | null> {
  try {
    return await act();
  } catch (err) {
    if (toAppError(err)) return null;
    throw err;
  }
}

export type MemberAction = { orgId: string; outcome: 'done' | 'signedOut' } | { orgId: string; outcome: 'limited'; refusal: RateLimitedError };

/** A customer's action needs her device; too many actions send her back to her page with the reason, not an error page. */
async function asMember(orgId: string, token: string | undefined, act: (member: MemberContext) => Promise<void>): Promise<MemberAction> {
  const member = await deviceMember(orgId, token);
  if (!member) return { orgId, outcome: 'signedOut' };
  try {
    await act(member);
    return { orgId: member.orgId, outcome: 'done' };
  } catch (err) {
    if (!(err instanceof RateLimitedError)) throw err;
    return { orgId: member.orgId, outcome: 'limited', refusal: err };
  }
}

// --- Joining a group -------------------------------------------------------------------------------------------------

export const showInvite = endpoint({
  access: 'public',
  input: { params: inviteParams },
  run: (_ctx, { params }) => invitePage(params.key),
});

export const joinGroup = endpoint({
  access: 'public',
  input: { params: inviteParams, session: joinReceipts, body: joinSchema },
  run: (_ctx, { params, body }, { ip }) => joinGroupByInvite(ip, params.key, body),
});

/** The group a device joined with a number already known: the device sees which group, nothing more. */
export const showJoined = endpoint({
  access: 'public',
  input: { params: joinedParams, cookies: deviceCookies, session: joinReceipts },
  run: async (_ctx, { params, cookies, session }) =>
    joinedPage(params.orgId, params.groupId, { member: await deviceMember(params.orgId, cookies.token), joinedHere: session.includes(params.groupId) }),
});

// --- The personal link -----------------------------------------------------------------------------------------------

/** Opening the link only offers to sign in: previews and scanners fetch links too, and a GET never spends one. */
export const offerEntry = endpoint({
  access: 'public',
  input: { params: pageParams, query: linkToken },
  run: (_ctx, { params, query }) => throughLink(async () => (await assertMemberLinkOpen(params.orgId, query.token), { token: query.token })),
});

export const enter = endpoint({
  access: 'public',
  input: { params: pageParams, body: linkToken },
  run: (_ctx, { params, body }) => throughLink(async () => ({ deviceToken: memberTokenFor((await memberFromLinkToken(params.orgId, body.token)).customer) })),
});

/** Nothing to look up: the device forgets its token. */
export const forgetDevice = endpoint({
  access: 'public',
  input: { params: forgetParams },
  run: (_ctx, { params }) => {
    if (!params.orgId) throw new NotFoundError('No such page');
    return { orgId: params.orgId };
  },
});

// --- The page, and what she does on it -------------------------------------------------------------------------------

export const showPage = endpoint({
  access: 'public',
  input: { params: pageParams, cookies: deviceCookies },
  run: async (_ctx, { params, cookies }) => {
    const member = await deviceMember(params.orgId, cookies.token);
    return member ? { member, page: await memberPage(member) } : null;
  },
});

/** The page with a refused comment shown again: only reached for a device that was let in a moment ago. */
export async function pageAgain(orgId: string, token: string | undefined) {
  const member = await deviceMember(orgId, token);
  if (!member) throw new NotFoundError('No such page');
  return { member, page: await memberPage(member) };
}

export const like = endpoint({
  access: 'public',
  input: { params: postParams, cookies: deviceCookies, body: likeSchema },
  run: (_ctx, { params, cookies, body }, { ip }) => asMember(params.orgId, cookies.token, (member) => likePost(member, ip, params.postId, body.liked)),
});

/** A refused comment (empty, too long, too many) shows her page again with the message under that post. */
export const comment = endpoint({
  access: 'public',
  input: { params: postParams, cookies: deviceCookies, body: postedFields },
  run: async (_ctx, { params, cookies, body }, { ip }) => {
    const member = await deviceMember(params.orgId, cookies.token);
    if (!member) return { signedOut: true };
    const text = commentOf(body);
    await commentOnPost(member, ip, params.postId, text);
    return { signedOut: false };
  },
});

export const leave = endpoint({
  access: 'public',
  input: { params: joinedParams, cookies: deviceCookies },
  run: (_ctx, { params, cookies }, { ip }) => asMember(params.orgId, cookies.token, (member) => leaveGroupAsMember(member, ip, params.groupId)),
});

/** Pictures of the posts she was shown; to anyone else there is no such picture. */
function imageOf(variant: MediaVariant) {
  return endpoint({
    access: 'public',
    input: { params: imageParams, cookies: deviceCookies },
    run: async (_ctx, { params, cookies }) => {
      const member = await deviceMember(params.orgId, cookies.token);
      if (!member) throw new NotFoundError('No such image');
      return openMemberImage(member, params.imageId, variant);
    },
  });
}

export const image = imageOf('original');
export const thumbnail = imageOf('thumb');
