import { endpoint } from '../../http/endpoint.js';
import { NotFoundError } from '../../errors.js';
import { invitePage } from '../../services/groups/group-page.js';
import { joinGroupByInvite } from '../../services/members/actions.js';
import {
  actFromDevice,
  commentFromDevice,
  enterThroughLink,
  joinedPageOfDevice,
  memberPageOfDevice,
  offerLinkEntry,
  openDeviceImage,
} from '../../services/members/device.js';
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

export type { MemberAction } from '../../services/members/device.js';

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
  run: (_ctx, { params, cookies, session }) => joinedPageOfDevice(params.orgId, params.groupId, cookies.token, session.includes(params.groupId)),
});

// --- The personal link -----------------------------------------------------------------------------------------------

export const offerEntry = endpoint({
  access: 'public',
  input: { params: pageParams, query: linkToken },
  run: (_ctx, { params, query }) => offerLinkEntry(params.orgId, query.token),
});

export const enter = endpoint({
  access: 'public',
  input: { params: pageParams, body: linkToken },
  run: (_ctx, { params, body }) => enterThroughLink(params.orgId, body.token),
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
  run: (_ctx, { params, cookies }) => memberPageOfDevice(params.orgId, cookies.token),
});

/** The page with a refused comment shown again (the comment form's view model). */
export { memberPageShownAgain as pageShownAgain } from '../../services/members/device.js';

export const like = endpoint({
  access: 'public',
  input: { params: postParams, cookies: deviceCookies, body: likeSchema },
  run: (_ctx, { params, cookies, body }, { ip }) => actFromDevice(params.orgId, cookies.token, ip, { kind: 'like', postId: params.postId, liked: body.liked }),
});

/** A refused comment (empty, too long, too many) shows her page again with the message under that post. */
export const comment = endpoint({
  access: 'public',
  input: { params: postParams, cookies: deviceCookies, body: postedFields },
  run: (_ctx, { params, cookies, body }, { ip }) => commentFromDevice(params.orgId, cookies.token, ip, params.postId, commentOf(body)),
});

export const leave = endpoint({
  access: 'public',
  input: { params: joinedParams, cookies: deviceCookies },
  run: (_ctx, { params, cookies }, { ip }) => actFromDevice(params.orgId, cookies.token, ip, { kind: 'leave', groupId: params.groupId }),
});

/** Pictures of the posts she was shown; to anyone else there is no such picture. */
function imageOf(variant: MediaVariant) {
  return endpoint({
    access: 'public',
    input: { params: imageParams, cookies: deviceCookies },
    run: (_ctx, { params, cookies }) => openDeviceImage(params.orgId, cookies.token, params.imageId, variant),
  });
}

export const image = imageOf('original');
export const thumbnail = imageOf('thumb');
