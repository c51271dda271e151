import type { Request } from 'express';
import { qrCodeDataUrl } from '../../presenters/qr-code.js';
import { publicOrigin } from '../public-url.js';
import { route, ctxOf, type RouteSpec } from '../define.js';
import { handleForm } from '../forms.js';
import { flash } from '../flash.js';
import { tr } from '../translate.js';
import { handlePictureForm } from '../picture-uploads.js';
import { addMembersSchema, groupSchema, postContentSchema } from '../schemas/social.schema.js';
import { customerListQuery } from '../customers/customers.schema.js';
import { archiveGroup, createFollowOnGroup, createGroup, removeMember, updateGroup } from '../../services/groups/groups.js';
import { publishGroupPost } from '../../services/groups/group-posts.js';
import { reachSentence } from '../../presenters/reach.js';
import { confirmReach } from '../confirm-reach.js';
import { addMembers, groupDetail, groupsOverview } from '../../services/groups/group-page.js';
import { isSafeLink } from '../../services/posts/content.js';
import { socialLimits } from '../../services/settings/org-settings.js';
import { presentGroup } from '../../presenters/group.js';
import { presentPost } from '../../presenters/post.js';
import { maskPhone } from '../../presenters/customer.js';

// Customer groups (staff pages): list, create, detail with members, invite link and QR code, notice, posts, daily joins and leaves.


const searchQuery = customerListQuery.pick({ q: true });

async function listModel(req: Request) {
  const overview = await groupsOverview(ctxOf(req));
  return {
    title: tr(req, 'groups.title'),
    groups: overview.groups.map((g) => presentGroup(g, overview.orgCap, overview.storeNames)),
    orgCap: overview.orgCap,
    canManage: overview.canManage,
    stores: overview.storeChoices.map((s) => ({ id: String(s._id), name: s.name })),
    values: {},
  };
}

type FormName = 'edit' | 'members' | 'post';

async function detailModel(req: Request, errorForm?: FormName) {
  const groupId = String(req.params.id);
  const parsed = searchQuery.safeParse(req.query);
  const q = parsed.success ? parsed.data.q : '';
  const detail = await groupDetail(ctxOf(req), groupId, { q });
  const group = presentGroup(detail.group, detail.orgCap, detail.storeNames);
  const inviteUrl = `${publicOrigin(req)}${group.inviteUrl}`;
  return {
    title: group.name,
    group: { ...group, archived: group.status === 'archived' },
    inviteUrl,
    qr: await qrCodeDataUrl(inviteUrl),
    canManage: detail.canManage,
    errorForm,
    // The edit form shows the group until that form itself comes back with what was typed.
    editValues: errorForm === 'edit' ? req.body : { name: group.name, notice: group.notice, cap: group.ownCap ?? '' },
    orgCap: detail.orgCap,
    members: detail.members.members.map((m) => ({ ...m, phoneTail: m.phoneTail ? `****${m.phoneTail}` : '' })),
    membersTotal: detail.members.total,
    membersShown: detail.members.members.length,
    dayStats: detail.dayStats,
    allowance: detail.allowance,
    reachLine: detail.reach ? reachSentence((key, params) => tr(req, key, params), detail.reach, 'preview') : null,
    posts: detail.posts.map((p) => {
      const post = presentPost(p);
      return { ...post, link: post.link && isSafeLink(post.link) ? post.link : null, createdAtIso: post.createdAt.toISOString() };
    }),
    q,
    searchAction: `/groups/${group.id}`,
    membersAction: `/groups/${group.id}/members${q ? `?q=${encodeURIComponent(q)}` : ''}`,
    candidates: detail.candidates.items.map((c) => ({ id: String(c._id), name: c.name, phone: maskPhone(c.phone), member: detail.candidates.memberIds.has(String(c._id)) })),
    candidatesTotal: detail.candidates.total,
    postTextMax: socialLimits.postTextMax,
    postImagesMax: socialLimits.postImagesMax,
    imageTypes: socialLimits.imageTypes.join(','),
  };
}

export const groupPageRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/groups',
    access: { permission: 'group.read' },
    handler: async (req, res) => res.render('pages/groups/list', await listModel(req)),
  }),
  route({
    method: 'post',
    path: '/groups',
    access: { permission: 'group.manage' },
    handler: (req, res) =>
      handleForm(req, res, {
        schema: groupSchema,
        view: 'pages/groups/list',
        model: () => listModel(req),
        onValid: async (input) => {
          const group = await createGroup(ctxOf(req), input);
          flash(req, 'success', 'groups.created');
          return `/groups/${String(group._id)}`;
        },
      }),
  }),
  route({
    method: 'get',
    path: '/groups/:id',
    access: { permission: 'group.read' },
    handler: async (req, res) => res.render('pages/groups/detail', await detailModel(req)),
  }),
  route({
    method: 'post',
    path: '/groups/:id',
    access: { permission: 'group.manage' },
    handler: (req, res) =>
      handleForm(req, res, {
        schema: groupSchema,
        view: 'pages/groups/detail',
        model: () => detailModel(req, 'edit'),
        onValid: async (input) => {
          const group = await updateGroup(ctxOf(req), String(req.params.id), input);
          flash(req, 'success', 'groups.saved');
          return `/groups/${String(group._id)}`;
        },
      }),
  }),
  route({
    method: 'post',
    path: '/groups/:id/members',
    access: { permission: 'group.manage' },
    handler: (req, res) =>
      handleForm(req, res, {
        schema: addMembersSchema,
        view: 'pages/groups/detail',
        model: () => detailModel(req, 'members'),
        onValid: async (input) => {
          const result = await addMembers(ctxOf(req), String(req.params.id), input.customerIds);
          flash(req, 'success', 'groups.members.addedSummary', result);
          return `/groups/${String(req.params.id)}#members`;
        },
      }),
  }),
  route({
    method: 'post',
    path: '/groups/:id/members/:customerId/remove',
    access: { permission: 'group.manage' },
    handler: async (req, res) => {
      await removeMember(ctxOf(req), String(req.params.id), String(req.params.customerId));
      flash(req, 'success', 'groups.members.removed');
      res.redirect(303, `/groups/${String(req.params.id)}#members`);
    },
  }),
  route({
    method: 'post',
    path: '/groups/:id/follow-on',
    access: { permission: 'group.manage' },
    handler: async (req, res) => {
      const next = await createFollowOnGroup(ctxOf(req), String(req.params.id));
      flash(req, 'success', 'groups.followOn.created', { name: next.name });
      res.redirect(303, `/groups/${String(next._id)}`);
    },
  }),
  route({
    method: 'post',
    path: '/groups/:id/posts',
    access: { permission: 'group.manage' },
    // Pictures come as multipart; the form's fields then go through the same parse and re-render as any form.
    handler: (req, res) =>
      handlePictureForm(req, res, {
        schema: postContentSchema,
        view: 'pages/groups/detail',
        model: () => detailModel(req, 'post'),
        onValid: async (input, form) => {
          const post = await publishGroupPost(ctxOf(req), String(req.params.id), { text: input.text, link: input.link, images: form.files });
          confirmReach(req, 'groups.posts.published', post.reach);
          return `/groups/${String(req.params.id)}#posts`;
        },
      }),
  }),
  route({
    method: 'post',
    path: '/groups/:id/archive',
    access: { permission: 'group.manage' },
    handler: async (req, res) => {
      await archiveGroup(ctxOf(req), String(req.params.id));
      flash(req, 'success', 'groups.archived');
      res.redirect(303, '/groups');
    },
  }),
];
