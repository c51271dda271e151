import { endpoint } from '../../http/endpoint.js';
import { imageParams, pictureUpload } from './media.schema.js';
import { uploadPicture as storeUploadedPicture } from '../../services/media/media.js';
import { openStaffImage } from '../../services/media/staff-images.js';

/** Pictures of posts and campaigns: uploaded first (the API), then named by id; read by staff who may see what shows them. */

/** The bytes decide the type (decoded), whatever Content-Type or file name the client claims. */
export const uploadPicture = endpoint({
  access: { permission: 'media.upload' },
  input: { body: pictureUpload },
  run: (ctx, { body }) => storeUploadedPicture(ctx, body.file),
});

export const openPicture = endpoint({
  access: 'signedIn',
  input: { params: imageParams },
  run: (ctx, { params }) => openStaffImage(ctx, params.id, 'original'),
});

export const openThumbnail = endpoint({
  access: 'signedIn',
  input: { params: imageParams },
  run: (ctx, { params }) => openStaffImage(ctx, params.id, 'thumb'),
});
