import { z } from 'zod';
import { route, ctxOf, type RouteSpec } from '../define.js';
import { addMemberSchema, groupSchema, postContentSchema } from '../schemas/social.schema.js';
import { optionalNumber } from '../schemas/common.js';
import { addMember, groupDayStats, listMembers, removeMember } from '../../services/groups/groups.js';
import { listGroupPosts } from '../../services/groups/group-posts.js';
import {
  archiveGroupAnswer,
  changeGroupAnswer,
  createGroupAnswer,
  followOnGroupAnswer,
  groupAllowanceAnswer,
  groupAnswer,
  groupsAnswer,
  publishGroupPostWithAuthor,
  type GroupAnswer,
  type GroupsAnswer,
} from '../../services/groups/group-answers.js';
import { presentGroup } from '../../presenters/group.js';
import { presentPost } from '../../presenters/post.js';
import { apiImageBase } from './media.js';
import { api } from '../../http/surfaces.js';
import { tr } from '../translate.js';
import { previewGroupPostReach } from '../groups/groups.endpoints.js';
import { presentReach } from '../../presenters/reach.js';

const groupListQuery = z.object({ status: z.enum(['active', 'archived']).optional() });
const memberListQuery = z.object({ limit: optionalNumber(1, 500).pipe(z.number().int('out_of_range').default(100)), skip: optionalNumber(0, 1_000_000).pipe(z.number().int('out_of_range').default(0)) });
const postListQuery = z.object({ limit: optionalNumber(1, 100).pipe(z.number().int('out_of_range').default(30)) });
const statsQuery = z.object({ days: optionalNumber(1, 366).pipe(z.number().int('out_of_range').default(30)) });

/** Groups as the API shows them: the cap in force (the group's own within the organisation's) and the store's name. */
const groupBodies = ({ groups, orgCap, storeNames }: GroupsAnswer) => groups.map((group) => presentGroup(group, orgCap, storeNames));
const groupBody = ({ group, orgCap, storeNames }: GroupAnswer) => presentGroup(group, orgCap, storeNames);

export const groupApiRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/groups',
    access: { permission: 'group.read' },
    handler: async (req, res) => res.json({ items: groupBodies(await groupsAnswer(ctxOf(req), groupListQuery.parse(req.query))) }),
  }),
  route({
    method: 'post',
    path: '/groups',
    access: { permission: 'group.manage' },
    handler: async (req, res) => res.status(201).json(groupBody(await createGroupAnswer(ctxOf(req), groupSchema.parse(req.body)))),
  }),
  route({
    method: 'get',
    path: '/groups/:id',
    access: { permission: 'group.read' },
    handler: async (req, res) => res.json(groupBody(await groupAnswer(ctxOf(req), String(req.params.id)))),
  }),
  route({
    method: 'patch',
    path: '/groups/:id',
    access: { permission: 'group.manage' },
    // The body is laid over what the group keeps and parsed as a whole once the group is known to be the actor's.
    handler: async (req, res) => res.json(groupBody(await changeGroupAnswer(ctxOf(req), String(req.params.id), (kept) => groupSchema.parse({ ...kept, ...(req.body as object) })))),
  }),
  route({
    method: 'post',
    path: '/groups/:id/archive',
    access: { permission: 'group.manage' },
    handler: async (req, res) => res.json(groupBody(await archiveGroupAnswer(ctxOf(req), String(req.params.id)))),
  }),
  route({
    method: 'post',
    path: '/groups/:id/follow-on',
    access: { permission: 'group.manage' },
    handler: async (req, res) => res.status(201).json(groupBody(await followOnGroupAnswer(ctxOf(req), String(req.params.id)))),
  }),

  route({
    method: 'get',
    path: '/groups/:id/members',
    access: { permission: 'group.read' },
    handler: async (req, res) => {
      const query = memberListQuery.parse(req.query);
      const { members, total } = await listMembers(ctxOf(req), String(req.params.id), query);
      res.json({ items: members, total, limit: query.limit, skip: query.skip });
    },
  }),
  route({
    method: 'post',
    path: '/groups/:id/members',
    access: { permission: 'group.manage' },
    handler: async (req, res) => {
      const { joined } = await addMember(ctxOf(req), String(req.params.id), addMemberSchema.parse(req.body).customerId);
      res.status(joined ? 201 : 200).json({ joined });
    },
  }),
  route({
    method: 'delete',
    path: '/groups/:id/members/:customerId',
    access: { permission: 'group.manage' },
    handler: async (req, res) => {
      await removeMember(ctxOf(req), String(req.params.id), String(req.params.customerId));
      res.status(204).end();
    },
  }),

  route({
    method: 'get',
    path: '/groups/:id/posts',
    access: { permission: 'group.read' },
    handler: async (req, res) => {
      const posts = await listGroupPosts(ctxOf(req), String(req.params.id), postListQuery.parse(req.query).limit);
      res.json({ items: posts.map((post) => presentPost(post, apiImageBase)) });
    },
  }),
  route({
    method: 'post',
    path: '/groups/:id/posts',
    access: { permission: 'group.manage' },
    handler: async (req, res) => {
      const post = await publishGroupPostWithAuthor(ctxOf(req), String(req.params.id), postContentSchema.parse(req.body));
      res.status(201).json({ ...presentPost(post, apiImageBase), reach: presentReach((key, params) => tr(req, key, params), post.reach, 'outcome') });
    },
  }),
  api.get('/groups/:id/reach', previewGroupPostReach, {
    present: ({ reach, allowance }, { t }) => ({ ...presentReach(t, reach, 'preview'), allowance: { ...allowance, nextAllowedAt: allowance.nextAllowedAt?.toISOString() ?? null } }),
  }),
  route({
    method: 'get',
    path: '/groups/:id/stats',
    access: { permission: 'group.read' },
    handler: async (req, res) => res.json({ items: await groupDayStats(ctxOf(req), String(req.params.id), statsQuery.parse(req.query).days) }),
  }),
  route({
    method: 'get',
    path: '/groups/:id/allowance',
    access: { permission: 'group.read' },
    handler: async (req, res) => {
      const allowance = await groupAllowanceAnswer(ctxOf(req), String(req.params.id));
      res.json({ ...allowance, nextAllowedAt: allowance.nextAllowedAt?.toISOString() ?? null });
    },
  }),
];
