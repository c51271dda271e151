import { z } from 'zod';
import { arrayOf, requiredText } from '../../domain/input-fields.js';
import { socialLimits } from '../../domain/settings.js';
import { isSafeLink } from '../../services/posts/content.js';
import type { PictureFile } from '../../services/media/pictures.js';

/** What every post shares (a moment, a group post, a campaign's post): forms send strings, the API JSON; both parse here. */

export const recordId = z.string().max(64);

const link = z.preprocess(
  (v) => (v === undefined || v === null ? '' : v),
  z
    .string()
    .trim()
    .max(socialLimits.linkMax, 'too_long')
    .refine((v) => v === '' || isSafeLink(v), 'link'),
);

/** A post's words and pictures uploaded before (API) or kept (an edited campaign). */
export const postContentSchema = z.object({
  text: requiredText(socialLimits.postTextMax),
  link,
  imageIds: arrayOf(recordId).pipe(z.array(recordId).max(socialLimits.postImagesMax, 'too_many_images')),
});

/** The pictures a page form brought (the picture form hands them over as `images`); the services check them. */
export const receivedPictures = z.array(z.custom<PictureFile>()).default([]);

/** A post's pictures as a page form may bring them: at most so many, each cut off (and refused) past its size. */
export const postPictures = { maxFiles: socialLimits.postImagesMax, maxFileBytes: socialLimits.imageMaxBytes };
