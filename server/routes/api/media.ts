import { route, ctxOf, type RouteSpec } from '../define.js';
import { withPictureBody } from '../picture-uploads.js';
import { sendImage } from '../send-image.js';
import { checkImages, storeImages } from '../../services/media/media.js';
import { openStaffImage } from '../../services/media/staff-images.js';
import { socialLimits } from '../../services/settings/org-settings.js';
import { presentImages, type ImageBase } from '../../presenters/post.js';

/**
 * Where API payloads point for pictures: the bearer token that read the payload also fetches the bytes
 * (the page route /media/:id answers to a signed-in browser session only).
 */
export const apiImageBase: ImageBase = '/api/v1/media/';

/** /api/v1/media: pictures are uploaded first, then named by id in posts and campaigns. */
export const mediaApiRoutes: RouteSpec[] = [
  route({
    method: 'post',
    path: '/media',
    access: { permission: 'media.upload' },
    handler: async (req, res) => {
      const ctx = ctxOf(req);
      // The bytes decide the type (decoded), whatever Content-Type or file name the client claims.
      const [id] = await withPictureBody(req, { uploader: { staffId: ctx.actor.id }, maxBytes: socialLimits.imageMaxBytes }, async (file) => storeImages(ctx, await checkImages([file])));
      res.status(201).json(presentImages([id!], apiImageBase)[0]);
    },
  }),
  route({
    method: 'get',
    path: '/media/:id',
    access: { signedIn: true },
    handler: async (req, res) => sendImage(req, res, await openStaffImage(ctxOf(req), String(req.params.id), 'original')),
  }),
  route({
    method: 'get',
    path: '/media/:id/thumb',
    access: { signedIn: true },
    handler: async (req, res) => sendImage(req, res, await openStaffImage(ctxOf(req), String(req.params.id), 'thumb')),
  }),
];
