import type { RouteSpec } from '../../http/gate.js';
import { image } from '../../http/file-surfaces.js';
import * as media from './media.endpoints.js';

/** Pictures of posts and campaigns for staff who may read what shows them; others answer 404. */
export const mediaPageRoutes: RouteSpec[] = [image.get('/media/:id', media.openPicture), image.get('/media/:id/thumb', media.openThumbnail)];
