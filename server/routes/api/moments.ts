import { z } from 'zod';
import { route, ctxOf, type RouteSpec } from '../define.js';
import { momentSchema } from '../schemas/social.schema.js';
import { optionalNumber } from '../schemas/common.js';
import { getMoment, listMoments, momentQuota } from '../../services/moments/moments.js';
import { publishMomentWithAuthor } from '../../services/moments/moment-page.js';
import { presentPost, presentPostDetail } from '../../presenters/post.js';
import { apiImageBase } from './media.js';
import { api } from '../../http/surfaces.js';
import { tr } from '../translate.js';
import { previewMomentReach } from '../moments/moments.endpoints.js';
import { presentReach } from '../../presenters/reach.js';

const momentListQuery = z.object({
  limit: optionalNumber(1, 100).pipe(z.number().int('out_of_range').default(20)),
  /** The id of the last moment of the previous page: the next page holds older ones. */
  before: z.string().regex(/^[0-9a-f]{24}$/i, 'invalid_id').optional(),
});

/** /api/v1/moments: a staff member's posts to her own customers' feeds, within the daily quota. */
export const momentApiRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/moments',
    access: { permission: 'moment.read' },
    handler: async (req, res) => {
      const query = momentListQuery.parse(req.query);
      const items = await listMoments(ctxOf(req), query);
      res.json({ items: items.map((post) => presentPost(post, apiImageBase)), nextBefore: items.length === query.limit ? String(items[items.length - 1]!._id) : null });
    },
  }),
  route({
    method: 'post',
    path: '/moments',
    access: { permission: 'moment.publish' },
    handler: async (req, res) => {
      const { audience, tagIds, ...content } = momentSchema.parse(req.body);
      const post = await publishMomentWithAuthor(ctxOf(req), { ...content, tagIds: audience ? audience.tags : tagIds });
      res.status(201).json({ ...presentPost(post, apiImageBase), reach: presentReach((key, params) => tr(req, key, params), post.reach, 'outcome') });
    },
  }),
  route({
    method: 'get',
    path: '/moments/quota',
    access: { permission: 'moment.publish' },
    handler: async (req, res) => {
      const quota = await momentQuota(ctxOf(req));
      res.json({ ...quota, resetsAt: quota.resetsAt.toISOString() });
    },
  }),
  api.get('/moments/reach', previewMomentReach, { present: (reach, { t }) => presentReach(t, reach, 'preview') }),
  route({
    method: 'get',
    path: '/moments/:id',
    access: { permission: 'moment.read' },
    handler: async (req, res) => {
      const moment = await getMoment(ctxOf(req), String(req.params.id));
      res.json(presentPostDetail(moment, apiImageBase));
    },
  }),
];
