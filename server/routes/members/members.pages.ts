import type { RouteSpec } from '../../http/gate.js';
import { form, page } from '../../http/surfaces.js';
import { image } from '../../http/file-surfaces.js';
import * as members from './members.endpoints.js';
import { enterModel, inviteModel, loadInviteModel, joinedModel, pageModel, pageOf, postAnchor, signedOutModel } from './members.view.js';
import { forgetDevice, keepJoinReceipt, rememberDevice } from './members.device.js';

/** What she is told after an action on her page: nothing when it went through quietly, the reason when it was refused. */
const refusalFlash = (action: members.MemberAction) =>
  action.outcome === 'limited' ? [{ key: action.refusal.messageKey, params: action.refusal.messageParams, kind: 'danger' as const }] : [];

/** Her personal pages and what she holds there are hers alone: never stored by a cache. */
const personal = { 'Cache-Control': 'no-store' };

/** The customer's own pages (public: she is known by her device or her personal link, never signed in). */
export const memberPageRoutes: RouteSpec[] = [
  page.get('/g/:key', members.showInvite, {
    view: 'pages/members/invite',
    model: (invite, { input }) => ({ ...inviteModel(invite, input.params.key), values: {} }),
  }),
  form.post('/g/:key/join', members.joinGroup, {
    view: 'pages/members/invite',
    model: ({ params }) => loadInviteModel(params.key),
    effects: (joined, { session }, http) =>
      joined.deviceToken ? rememberDevice(http, joined.orgId, joined.deviceToken) : keepJoinReceipt(http, session, joined.groupId),
    flash: (joined) => (joined.deviceToken ? [{ key: 'members.joined.flash', params: { name: joined.groupName } }] : []),
    // The device's cookie only reaches the customer page's paths: that page decides what this device may see.
    redirect: (joined) => (joined.deviceToken ? pageOf(joined.orgId) : `${pageOf(joined.orgId)}/joined/${joined.groupId}`),
  }),
  page.get('/my/:orgId/joined/:groupId', members.showJoined, {
    view: 'pages/members/joined',
    model: (joined) => joinedModel(joined),
    redirect: (joined, { input }) => (joined.deviceIsMember ? pageOf(input.params.orgId) : null),
    flash: (joined) => ({ key: 'members.joined.flash', params: { name: joined.group.name } }),
  }),
  page.get('/my/:orgId/enter', members.offerEntry, {
    headers: personal,
    view: (open) => (open ? 'pages/members/enter' : 'pages/members/signed-out'),
    status: (open) => (open ? 200 : 401),
    model: (open, { input, t }) => (open ? enterModel(input.params.orgId, open.token, t) : signedOutModel(t, { linkInvalid: true })),
  }),
  page.post('/my/:orgId/enter', members.enter, {
    headers: personal,
    effects: (entered, { params }, http) => entered && rememberDevice(http, params.orgId, entered.deviceToken),
    redirect: (entered, { input }) => (entered ? pageOf(input.params.orgId) : null),
    view: 'pages/members/signed-out',
    status: () => 401,
    model: (_refused, { t }) => signedOutModel(t, { linkInvalid: true }),
  }),
  page.get('/my/:orgId', members.showPage, {
    headers: personal,
    view: (shown) => (shown ? 'pages/members/page' : 'pages/members/signed-out'),
    status: (shown) => (shown ? 200 : 401),
    model: (shown, { t }) => (shown ? pageModel(shown) : signedOutModel(t)),
  }),
  // Without her device each action sends her to her page, which explains how to get there.
  form.post('/my/:orgId/posts/:postId/like', members.like, {
    flash: refusalFlash,
    redirect: (action, { params }) => (action.outcome === 'done' ? postAnchor(params.orgId, params.postId) : pageOf(action.orgId)),
  }),
  form.post('/my/:orgId/posts/:postId/comments', members.comment, {
    view: 'pages/members/page',
    model: async ({ params, input }) => pageModel(await members.pageShownAgain(params.orgId, input.cookies?.token), { errorPostId: params.postId }),
    redirect: (commented, { params }) => (commented.signedOut ? pageOf(params.orgId) : postAnchor(params.orgId, params.postId)),
  }),
  form.post('/my/:orgId/groups/:groupId/leave', members.leave, {
    flash: (action) => (action.outcome === 'done' ? ['members.groups.left'] : refusalFlash(action)),
    redirect: (action) => pageOf(action.orgId),
  }),
  form.post('/my/:orgId/forget', members.forgetDevice, {
    effects: ({ orgId }, _input, http) => forgetDevice(http, orgId),
    redirect: ({ orgId }) => pageOf(orgId),
  }),
  image.get('/my/:orgId/media/:imageId', members.image),
  image.get('/my/:orgId/media/:imageId/thumb', members.thumbnail),
];
