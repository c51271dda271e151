import type { RouteSpec } from '../../http/gate.js';
import { form, page } from '../../http/surfaces.js';
import { pictureForm } from '../../http/picture-forms.js';
import * as groups from './groups.endpoints.js';
import { postPictures } from '../schemas/post.schema.js';
import { detailAgainModel, detailModel, listAgainModel, listModel } from './groups.view.js';
import { reachConfirmed } from '../moments/moments.view.js';

/** Customer groups (staff pages): list, create, detail with members, invite link and QR code, notice, posts, daily joins and leaves. */
export const groupPageRoutes: RouteSpec[] = [
  page.get('/groups', groups.groupsPage, { view: 'pages/groups/list', model: (overview, { t }) => listModel(overview, t) }),
  form.post('/groups', groups.createGroup, {
    view: 'pages/groups/list',
    model: listAgainModel,
    flash: 'groups.created',
    redirect: ({ group }) => `/groups/${String(group._id)}`,
  }),
  page.get('/groups/:id', groups.groupPage, {
    view: 'pages/groups/detail',
    model: (detail, { t, origin, input }) => detailModel(detail, { t, origin, q: input.query.q }),
  }),
  form.post('/groups/:id', groups.editGroup, {
    view: 'pages/groups/detail',
    model: detailAgainModel('edit'),
    flash: 'groups.saved',
    redirect: (group) => `/groups/${String(group._id)}`,
  }),
  form.post('/groups/:id/members', groups.addGroupMembers, {
    view: 'pages/groups/detail',
    model: detailAgainModel('members'),
    flash: (added) => ({ key: 'groups.members.addedSummary', params: added }),
    redirect: (_added, { params }) => `/groups/${params.id}#members`,
  }),
  form.post('/groups/:id/members/:customerId/remove', groups.removeGroupMember, {
    flash: 'groups.members.removed',
    redirect: (_none, { params }) => `/groups/${params.id}#members`,
  }),
  form.post('/groups/:id/follow-on', groups.followOnGroup, {
    flash: ({ group }) => ({ key: 'groups.followOn.created', params: { name: group.name } }),
    redirect: ({ group }) => `/groups/${String(group._id)}`,
  }),
  pictureForm.post('/groups/:id/posts', groups.publishPostForm, {
    pictures: postPictures,
    view: 'pages/groups/detail',
    model: detailAgainModel('post'),
    flash: (post, _input, t) => reachConfirmed(t, 'groups.posts.published', post),
    redirect: (_post, { params }) => `/groups/${params.id}#posts`,
  }),
  form.post('/groups/:id/archive', groups.archiveGroup, { flash: 'groups.archived', redirect: '/groups' }),
];
