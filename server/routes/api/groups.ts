import type { Request } from 'express';
import { z } from 'zod';
import { route, ctxOf, type RouteSpec } from '../define.js';
import { addMemberSchema, groupSchema, postContentSchema } from '../schemas/social.schema.js';
import { optionalNumber } from '../schemas/common.js';
import { addMember, archiveGroup, createFollowOnGroup, createGroup, getGroup, groupDayStats, listGroups, listMembers, removeMember, updateGroup } from '../../services/groups/groups.js';
import { groupPostAllowance, listGroupPosts, publishGroupPost } from '../../services/groups/group-posts.js';
import { withAuthorNames } from '../../services/moments/moments.js';
import { getOrgSettings } from '../../services/org/settings.js';
import { listStoreChoices } from '../../services/org/stores.js';
import { presentGroup } from '../../presenters/group.js';
import { presentPost } from '../../presenters/post.js';
import { storeNameMap } from '../../presenters/store.js';
import type { CustomerGroupDoc } from '../../models/customer-group.js';
import { apiImageBase } from './media.js';

const groupListQuery = z.object({ status: z.enum(['active', 'archived']).optional() });
const memberListQuery = z.object({ limit: optionalNumber(1, 500).pipe(z.number().int('out_of_range').default(100)), skip: optionalNumber(0, 1_000_000).pipe(z.number().int('out_of_range').default(0)) });
const postListQuery = z.object({ limit: optionalNumber(1, 100).pipe(z.number().int('out_of_range').default(30)) });
const statsQuery = z.object({ days: optionalNumber(1, 366).pipe(z.number().int('out_of_range').default(30)) });

/** Groups as the API shows them: the cap in force (the group's own within the organisation's) and the store's name. */
async function groupBodies(req: Request, groups: CustomerGroupDoc[]) {
  const ctx = ctxOf(req);
  const [settings, stores] = await Promise.all([getOrgSettings(ctx), listStoreChoices(ctx)]);
  const names = storeNameMap(stores);
  return groups.map((group) => presentGroup(group, settings.groupMemberCap, names));
}

const groupBody = async (req: Request, group: CustomerGroupDoc) => (await groupBodies(req, [group]))[0]!;

export const groupApiRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/groups',
    access: { permission: 'group.read' },
    handler: async (req, res) => res.json({ items: await groupBodies(req, await listGroups(ctxOf(req), groupListQuery.parse(req.query))) }),
  }),
  route({
    method: 'post',
    path: '/groups',
    access: { permission: 'group.manage' },
    handler: async (req, res) => res.status(201).json(await groupBody(req, await createGroup(ctxOf(req), groupSchema.parse(req.body)))),
  }),
  route({
    method: 'get',
    path: '/groups/:id',
    access: { permission: 'group.read' },
    handler: async (req, res) => res.json(await groupBody(req, await getGroup(ctxOf(req), String(req.params.id)))),
  }),
  route({
    method: 'patch',
    path: '/groups/:id',
    access: { permission: 'group.manage' },
    handler: async (req, res) => {
      const ctx = ctxOf(req);
      const current = await getGroup(ctx, String(req.params.id), 'group.manage');
      // The group's own cap (null: the organisation's) is what a PATCH without `cap` keeps.
      const input = groupSchema.parse({ name: current.name, notice: current.notice, cap: current.cap ?? undefined, ...(req.body as object) });
      res.json(await groupBody(req, await updateGroup(ctx, String(current._id), input)));
    },
  }),
  route({
    method: 'post',
    path: '/groups/:id/archive',
    access: { permission: 'group.manage' },
    handler: async (req, res) => {
      const ctx = ctxOf(req);
      await archiveGroup(ctx, String(req.params.id));
      res.json(await groupBody(req, await getGroup(ctx, String(req.params.id))));
    },
  }),
  route({
    method: 'post',
    path: '/groups/:id/follow-on',
    access: { permission: 'group.manage' },
    handler: async (req, res) => res.status(201).json(await groupBody(req, await createFollowOnGroup(ctxOf(req), String(req.params.id)))),
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
      const ctx = ctxOf(req);
      const post = await publishGroupPost(ctx, String(req.params.id), postContentSchema.parse(req.body));
      const [withName] = await withAuthorNames(ctx.orgId, [post]);
      res.status(201).json(presentPost(withName!, apiImageBase));
    },
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
      const ctx = ctxOf(req);
      const allowance = await groupPostAllowance(ctx, await getGroup(ctx, String(req.params.id)));
      res.json({ ...allowance, nextAllowedAt: allowance.nextAllowedAt?.toISOString() ?? null });
    },
  }),
];
