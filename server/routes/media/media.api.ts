import type { RouteSpec } from '../../http/gate.js';
import { image, receive, upload } from '../../http/file-surfaces.js';
import { socialLimits } from '../../domain/settings.js';
import { presentImages, type ImageBase } from '../../presenters/post.js';
import * as media from './media.endpoints.js';

/**
 * Where API payloads point for pictures: the bearer token that read the payload also fetches the bytes
 * (the page route /media/:id answers to a signed-in browser session only).
 */
export const apiImageBase: ImageBase = '/api/v1/media/';

/** /api/v1/media: pictures are uploaded first, then named by id in posts and campaigns. */
export const mediaApiRoutes: RouteSpec[] = [
  upload.api('/media', media.uploadPicture, {
    receive: receive.picture(socialLimits.imageMaxBytes),
    status: 201,
    present: (id) => presentImages([id], apiImageBase)[0],
  }),
  image.get('/media/:id', media.openPicture),
  image.get('/media/:id/thumb', media.openThumbnail),
];
