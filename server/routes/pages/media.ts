import { route, ctxOf, type RouteSpec } from '../define.js';
import { sendImage } from '../send-image.js';
import type { MediaVariant } from '../../services/media/media.js';
import { openStaffImage } from '../../services/media/staff-images.js';

/** Pictures of posts and campaigns for staff who may read what shows them (/media/:id, /media/:id/thumb); others answer 404. */
function mediaRoute(path: string, variant: MediaVariant): RouteSpec {
  return route({
    method: 'get',
    path,
    access: { signedIn: true },
    handler: async (req, res) => sendImage(req, res, await openStaffImage(ctxOf(req), String(req.params.imageId), variant)),
  });
}

export const mediaPageRoutes: RouteSpec[] = [mediaRoute('/media/:imageId', 'original'), mediaRoute('/media/:imageId/thumb', 'thumb')];
