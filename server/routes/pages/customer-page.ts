import type { Request, Response } from 'express';
import { route, type RouteSpec } from '../define.js';
import { handleForm } from '../forms.js';
import { flash } from '../flash.js';
import { tr } from '../translate.js';
import { sendImage } from '../send-image.js';
import { commentSchema, joinSchema, likeSchema } from '../schemas/social.schema.js';
import { joinByInvite, leaveGroup } from '../../services/groups/groups.js';
import { invitePage } from '../../services/groups/group-page.js';
import { countJoin } from '../../services/groups/join-limits.js';
import { assertMemberLinkOpen, memberFromLinkToken, memberFromToken, memberTokenFor, type MemberContext } from '../../services/members/members.js';
import { addComment, setLike, type FeedItem } from '../../services/members/feed.js';
import { joinedPage, memberPage, openMemberImage } from '../../services/members/page.js';
import { countMemberAction } from '../../services/members/member-limits.js';
import type { MediaVariant } from '../../services/media/media.js';
import { isSafeLink } from '../../services/posts/content.js';
import { socialLimits } from '../../services/settings/org-settings.js';
import { presentGroupForMember } from '../../presenters/group.js';
import { presentFeedItem } from '../../presenters/post.js';
import { clientIp } from '../../middlewares/auth.js';
import { toAppError } from '../../middlewares/errors.js';
import { NotFoundError, RateLimitedError } from '../../errors.js';

// Public pages of customers: the group invite page (/g/:key) and the customer page (/my/:orgId) with their feed and groups.

const COOKIE = 'sl_member';

const pageOf = (orgId: string) => `/my/${encodeURIComponent(orgId)}`;

/** The customer's token lives in an HTTP-only cookie scoped to their page of this brand (and its pictures). */
function cookieOptions(req: Request, orgId: string) {
  return { httpOnly: true, sameSite: 'lax' as const, secure: req.secure, path: pageOf(orgId), maxAge: socialLimits.memberTokenDays * 86_400_000 };
}

/** The cookie is scoped to the customer page's paths, so other pages of the brand (the invite page) never receive it. */
async function rememberedMember(req: Request): Promise<MemberContext | null> {
  const orgId = String(req.params.orgId);
  const token = (req.cookies as Record<string, string | undefined>)[COOKIE];
  if (!token) return null;
  try {
    return (await memberFromToken(orgId, token)).ctx;
  } catch (err) {
    if (toAppError(err)) return null;
    throw err;
  }
}

const JOIN_RECEIPTS = 5;

/** This browser joined the group with a number already known: it may see which group it joined, nothing more. */
function keepJoinReceipt(req: Request, groupId: string): void {
  req.session.joinedGroupIds = [...(req.session.joinedGroupIds ?? []).filter((id) => id !== groupId), groupId].slice(-JOIN_RECEIPTS);
}

async function inviteModel(req: Request) {
  const key = String(req.params.key);
  const page = await invitePage(key);
  const group = presentGroupForMember(page.group);
  return {
    layout: 'bare',
    title: group.name,
    group,
    cap: page.cap,
    full: page.full,
    storeName: page.storeName,
    orgName: page.orgName,
    action: `/g/${key}/join`,
  };
}

function presentItem(item: FeedItem, orgId: string) {
  const post = presentFeedItem(item, orgId);
  return { ...post, link: post.link && isSafeLink(post.link) ? post.link : null, createdAtIso: post.createdAt.toISOString(), base: pageOf(orgId) };
}

async function pageModel(req: Request, member: MemberContext, extra: Record<string, unknown> = {}) {
  const page = await memberPage(member);
  return {
    layout: 'bare',
    title: page.orgName,
    orgName: page.orgName,
    timezone: page.timezone,
    base: pageOf(member.orgId),
    feed: page.feed.map((item) => presentItem(item, member.orgId)),
    groups: page.groups.map(({ group, posts }) => {
      const shown = presentGroupForMember(group);
      return { ...shown, posts: posts.map((item) => presentItem(item, member.orgId)) };
    }),
    commentMax: socialLimits.commentMax,
    chatUrl: page.shopChannel ? `/c/${encodeURIComponent(page.shopChannel.key)}` : null,
    ...extra,
  };
}

/** A customer action needs the remembered device; without it the page itself explains how to get there. */
async function withMember(req: Request, res: Response, act: (member: MemberContext) => Promise<unknown>): Promise<void> {
  const member = await rememberedMember(req);
  if (!member) return void res.redirect(303, pageOf(String(req.params.orgId)));
  try {
    await act(member);
  } catch (err) {
    // Too many actions: back to the page with the reason, not an error page.
    if (!(err instanceof RateLimitedError)) throw err;
    flash(req, 'danger', err.messageKey, err.messageParams);
    res.redirect(303, pageOf(member.orgId));
  }
}

/** The personal link's token (in the address, then in the form), never cached; a link that lets nobody in says so. */
async function withLinkToken(req: Request, res: Response, act: (orgId: string, token: unknown) => Promise<void>): Promise<void> {
  res.setHeader('Cache-Control', 'no-store');
  const token = req.method === 'GET' ? req.query.token : (req.body as { token?: unknown }).token;
  try {
    await act(String(req.params.orgId), token);
  } catch (err) {
    if (!toAppError(err)) throw err;
    res.status(401).render('pages/members/signed-out', { layout: 'bare', title: tr(req, 'members.signedOut.title'), linkInvalid: true });
  }
}

const postAnchor = (req: Request) => `${pageOf(String(req.params.orgId))}#post-${encodeURIComponent(String(req.params.postId))}`;

function mediaRoute(path: string, variant: MediaVariant): RouteSpec {
  return route({
    method: 'get',
    path,
    access: { public: true },
    handler: async (req, res) => {
      const member = await rememberedMember(req);
      if (!member) throw new NotFoundError('No such image');
      await sendImage(req, res, await openMemberImage(member, String(req.params.imageId), variant));
    },
  });
}

export const customerSelfPageRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/g/:key',
    access: { public: true },
    handler: async (req, res) => res.render('pages/members/invite', { ...(await inviteModel(req)), values: {} }),
  }),
  route({
    method: 'post',
    path: '/g/:key/join',
    access: { public: true },
    handler: (req, res) =>
      handleForm(req, res, {
        schema: joinSchema,
        view: 'pages/members/invite',
        model: () => inviteModel(req),
        onValid: async (input) => {
          await countJoin(clientIp(req));
          const { customer, created, group } = await joinByInvite(String(req.params.key), input);
          const orgId = String(customer.orgId);
          // Only a customer this join created is remembered here: anyone can type a number someone else owns.
          if (created) {
            res.cookie(COOKIE, memberTokenFor(customer), cookieOptions(req, orgId));
            flash(req, 'success', 'members.joined.flash', { name: group.name });
            return pageOf(orgId);
          }
          // The device's cookie only reaches the customer page's paths: that page decides what this device may see.
          keepJoinReceipt(req, String(group._id));
          return `${pageOf(orgId)}/joined/${String(group._id)}`;
        },
      }),
  }),
  route({
    method: 'get',
    path: '/my/:orgId/joined/:groupId',
    access: { public: true },
    handler: async (req, res) => {
      const groupId = String(req.params.groupId);
      const page = await joinedPage(String(req.params.orgId), groupId, { member: await rememberedMember(req), joinedHere: (req.session.joinedGroupIds ?? []).includes(groupId) });
      if (page.deviceIsMember) {
        flash(req, 'success', 'members.joined.flash', { name: page.group.name });
        return res.redirect(303, pageOf(String(req.params.orgId)));
      }
      res.render('pages/members/joined', { layout: 'bare', title: page.group.name, group: presentGroupForMember(page.group), orgName: page.orgName });
    },
  }),
  route({
    // Opening the link only offers to sign in: previews and scanners fetch links too, and a GET never spends one.
    method: 'get',
    path: '/my/:orgId/enter',
    access: { public: true },
    handler: (req, res) =>
      withLinkToken(req, res, async (orgId, token) => {
        await assertMemberLinkOpen(orgId, token);
        res.render('pages/members/enter', { layout: 'bare', title: tr(req, 'members.enter.title'), action: `${pageOf(orgId)}/enter`, token });
      }),
  }),
  route({
    method: 'post',
    path: '/my/:orgId/enter',
    access: { public: true },
    handler: (req, res) =>
      withLinkToken(req, res, async (orgId, token) => {
        const { customer } = await memberFromLinkToken(orgId, token);
        res.cookie(COOKIE, memberTokenFor(customer), cookieOptions(req, orgId));
        res.redirect(303, pageOf(orgId));
      }),
  }),
  route({
    method: 'get',
    path: '/my/:orgId',
    access: { public: true },
    handler: async (req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      const member = await rememberedMember(req);
      if (!member) return res.status(401).render('pages/members/signed-out', { layout: 'bare', title: tr(req, 'members.signedOut.title') });
      res.render('pages/members/page', await pageModel(req, member));
    },
  }),
  route({
    method: 'post',
    path: '/my/:orgId/posts/:postId/like',
    access: { public: true },
    handler: (req, res) =>
      withMember(req, res, async (member) => {
        await countMemberAction(member, clientIp(req));
        await setLike(member, String(req.params.postId), likeSchema.parse(req.body).liked);
        res.redirect(303, postAnchor(req));
      }),
  }),
  route({
    method: 'post',
    path: '/my/:orgId/posts/:postId/comments',
    access: { public: true },
    handler: (req, res) =>
      withMember(req, res, (member) =>
        handleForm(req, res, {
          schema: commentSchema,
          view: 'pages/members/page',
          model: () => pageModel(req, member, { errorPostId: String(req.params.postId) }),
          onValid: async (input) => {
            await countMemberAction(member, clientIp(req));
            await addComment(member, String(req.params.postId), input.text);
            return postAnchor(req);
          },
        }),
      ),
  }),
  route({
    method: 'post',
    path: '/my/:orgId/groups/:groupId/leave',
    access: { public: true },
    handler: (req, res) =>
      withMember(req, res, async (member) => {
        await countMemberAction(member, clientIp(req));
        await leaveGroup(member, String(req.params.groupId));
        flash(req, 'success', 'members.groups.left');
        res.redirect(303, pageOf(member.orgId));
      }),
  }),
  route({
    method: 'post',
    path: '/my/:orgId/forget',
    access: { public: true },
    handler: (req, res) => {
      const orgId = String(req.params.orgId);
      if (!/^[0-9a-f]{24}$/i.test(orgId)) throw new NotFoundError('No such page');
      const { maxAge: _maxAge, ...options } = cookieOptions(req, orgId);
      res.clearCookie(COOKIE, options);
      res.redirect(303, pageOf(orgId));
    },
  }),
  mediaRoute('/my/:orgId/media/:imageId', 'original'),
  mediaRoute('/my/:orgId/media/:imageId/thumb', 'thumb'),
];
