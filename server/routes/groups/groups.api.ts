import type { RouteSpec } from '../../http/gate.js';
import { api } from '../../http/surfaces.js';
import * as groups from './groups.endpoints.js';
import { allowancePayload, groupPayload, groupsPayload, membersPayload, postsPayload, reachPreviewPayload } from './groups.view.js';
import { publishedPayload } from '../moments/moments.view.js';
import { apiImageBase } from '../media/media.api.js';

/** /api/v1/groups: customer groups, their members, posts and figures. */
export const groupApiRoutes: RouteSpec[] = [
  api.get('/groups', groups.listGroups, { present: groupsPayload }),
  api.post('/groups', groups.createGroup, { status: 201, present: groupPayload }),
  api.get('/groups/:id', groups.showGroup, { present: groupPayload }),
  api.patch('/groups/:id', groups.patchGroup, { present: groupPayload }),
  api.post('/groups/:id/archive', groups.archiveGroup, { present: groupPayload }),
  api.post('/groups/:id/follow-on', groups.followOnGroup, { status: 201, present: groupPayload }),

  api.get('/groups/:id/members', groups.listGroupMembers, { present: (page, { input }) => membersPayload(page, input.query) }),
  // 201 only when the customer joined; one already in the group is no new member.
  api.post('/groups/:id/members', groups.addGroupMember, { status: ({ joined }) => (joined ? 201 : 200) }),
  api.delete('/groups/:id/members/:customerId', groups.removeGroupMember, { status: 204 }),

  api.get('/groups/:id/posts', groups.listPosts, { present: (posts) => postsPayload(posts, apiImageBase) }),
  api.post('/groups/:id/posts', groups.publishPost, { status: 201, present: (post, { t }) => publishedPayload(post, apiImageBase, t) }),
  api.get('/groups/:id/reach', groups.previewGroupPostReach, { present: (answer, { t }) => reachPreviewPayload(answer, t) }),
  api.get('/groups/:id/stats', groups.dayStats, { present: (items) => ({ items }) }),
  api.get('/groups/:id/allowance', groups.postAllowance, { present: allowancePayload }),
];
