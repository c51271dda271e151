import { ValidationError } from '../../errors.js';
import { socialLimits } from '../../domain/settings.js';
import type { ServiceContext } from '../context.js';
import { checkContent, type ContentInput } from './content.js';
import { checkImages, deleteImages, storeImages, type CheckedImage } from '../media/media.js';
import { assertImagesInReach } from '../media/staff-images.js';
import type { PictureInput } from '../media/pictures.js';
import type { mongoose } from '../../db/connect.js';

/** A post as written: words, and pictures either as uploaded files (a page form) or as ids uploaded before (the API). */
export type DraftInput = ContentInput & { images?: PictureInput[] | undefined; imageIds?: string[] | undefined };

export type CheckedDraft = { text: string; link: string | null; images: CheckedImage[]; imageIds: mongoose.Types.ObjectId[] };

/** Everything about a draft that can be wrong, checked before any quota is spent or anything stored. */
export async function checkDraft(ctx: ServiceContext, input: DraftInput): Promise<CheckedDraft> {
  const content = checkContent(input);
  const uploads = input.images ?? [];
  const ids = input.imageIds ?? [];
  if (uploads.length + ids.length > socialLimits.postImagesMax) throw new ValidationError({ images: ['too_many_images'] });
  const [images, imageIds] = await Promise.all([checkImages(uploads), assertImagesInReach(ctx, ids)]);
  return { ...content, images, imageIds };
}

/**
 * Runs `publish` with the draft's pictures stored; when publishing fails, the pictures stored for it are removed
 * and `undo` gives back what was counted for it (a quota), so a failed post leaves nothing behind.
 */
export async function withStoredImages<T>(
  ctx: ServiceContext,
  draft: CheckedDraft,
  undo: () => Promise<void>,
  publish: (imageIds: mongoose.Types.ObjectId[]) => Promise<T>,
): Promise<T> {
  let stored: mongoose.Types.ObjectId[] = [];
  try {
    stored = draft.images.length ? await storeImages(ctx, draft.images) : [];
    return await publish([...draft.imageIds, ...stored]);
  } catch (err) {
    await deleteImages(ctx.orgId, stored).catch(() => undefined);
    await undo().catch(() => undefined);
    throw err;
  }
}
