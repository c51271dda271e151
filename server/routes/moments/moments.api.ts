import type { RouteSpec } from '../../http/gate.js';
import { api } from '../../http/surfaces.js';
import * as moments from './moments.endpoints.js';
import { momentListPayload, momentPayload, publishedPayload, quotaPayload, reachPreviewPayload } from './moments.view.js';
import { apiImageBase } from '../media/media.api.js';

/** /api/v1/moments: a staff member's posts to her own customers' feeds, within the daily quota. */
export const momentApiRoutes: RouteSpec[] = [
  api.get('/moments', moments.listMomentsApi, { present: (items, { input }) => momentListPayload(items, input.query.limit, apiImageBase) }),
  api.post('/moments', moments.publishMomentApi, { status: 201, present: (post, { t }) => publishedPayload(post, apiImageBase, t) }),
  // Fixed paths before /moments/:id, which would take them as ids.
  api.get('/moments/quota', moments.quota, { present: quotaPayload }),
  api.get('/moments/reach', moments.previewMomentReach, { present: (reach, { t }) => reachPreviewPayload(reach, t) }),
  api.get('/moments/:id', moments.showMoment, { present: (moment) => momentPayload(moment, apiImageBase) }),
];
