import { route, ctxOf, type RouteSpec } from '../define.js';
import { sendImage } from '../send-image.js';
import { openImage, type MediaVariant } from '../../services/media/media.js';

/** Pictures of posts and campaigns for signed-in staff (/media/:id, /media/:id/thumb); another organisation's answer 404. */
function mediaRoute(path: string, variant: MediaVariant): RouteSpec {
  return route({
    method: 'get',
    path,
    access: { signedIn: true },
    handler: async (req, res) => sendImage(req, res, await openImage(ctxOf(req).orgId, String(req.params.imageId), variant)),
  });
}

export const mediaPageRoutes: RouteSpec[] = [mediaRoute('/media/:imageId', 'original'), mediaRoute('/media/:imageId/thumb', 'thumb')];
