import { ObjectId } from 'mongodb';
import { gridfsBucket, uploadToBucket } from './gridfs.js';
import type { Readable } from 'node:stream';
import { NotFoundError, ValidationError } from '../../errors.js';
import { socialLimits } from '../../domain/settings.js';
import type { ServiceContext } from '../context.js';
import { authorize } from '../../policies/permissions.js';
import { mongoose } from '../../db/connect.js';
import { checkPicture, type CheckedPicture, type PictureInput } from './pictures.js';

/**
 * Pictures of posts and campaigns live in GridFS (bucket `media`), so several app processes need no shared disk.
 * Each picture is stored with a thumbnail (a second file); metadata holds the organisation and the uploader.
 */
const bucket = () => gridfsBucket('media');

export type CheckedImage = CheckedPicture;

/**
 * Pictures of a post or campaign, each through the one picture check (its bytes decide, never the file name or the
 * declared type). All are checked before anything is stored, so a bad file among good ones writes nothing; one at a
 * time, so a request decodes one picture at once.
 */
export async function checkImages(files: PictureInput[], field = 'images'): Promise<CheckedImage[]> {
  if (files.length > socialLimits.postImagesMax) throw new ValidationError({ [field]: ['too_many_images'] });
  const checked: CheckedImage[] = [];
  for (const file of files) checked.push(await checkPicture(file, { maxBytes: socialLimits.imageMaxBytes, types: socialLimits.imageTypes, field }));
  return checked;
}

/** Stores checked pictures with their thumbnails; answers the ids in order. */
export async function storeImages(ctx: ServiceContext, images: CheckedImage[]): Promise<mongoose.Types.ObjectId[]> {
  authorize(ctx.actor, 'media.upload');
  const written: ObjectId[] = [];
  const ids: mongoose.Types.ObjectId[] = [];
  try {
    for (const image of images) {
      const id = new ObjectId();
      const thumbId = new ObjectId();
      const owner = { orgId: new ObjectId(ctx.orgId), uploadedBy: ctx.actor.system ? null : new ObjectId(ctx.actor.id) };
      written.push(thumbId);
      await uploadToBucket(bucket(), thumbId, `thumb-${id.toHexString()}.webp`, image.thumbnail, { ...owner, mime: 'image/webp', thumbOf: id });
      written.push(id);
      await uploadToBucket(bucket(), id, `media-${id.toHexString()}.${image.ext}`, image.source, { ...owner, mime: image.mime, thumbId });
      ids.push(new mongoose.Types.ObjectId(id.toHexString()));
    }
  } catch (err) {
    // Everything this call wrote goes, a thumbnail whose picture failed included: no half-stored picture stays.
    for (const id of written)
      await bucket()
        .delete(id)
        .catch(() => undefined);
    throw err;
  }
  return ids;
}

/** One picture uploaded on its own (the API), checked by its bytes and stored: its id, for a post or campaign to name. */
export async function uploadPicture(ctx: ServiceContext, file: PictureInput): Promise<mongoose.Types.ObjectId> {
  authorize(ctx.actor, 'media.upload');
  const [id] = await storeImages(ctx, await checkImages([file]));
  return id!;
}

/** Pictures uploaded earlier (the API uploads first, then posts the ids): the organisation's, and all of them. */
export async function assertImagesInOrg(orgId: string, ids: string[]): Promise<mongoose.Types.ObjectId[]> {
  if (ids.length > socialLimits.postImagesMax) throw new ValidationError({ imageIds: ['too_many_images'] });
  if (!ids.length) return [];
  if (ids.some((id) => !mongoose.isObjectIdOrHexString(id))) throw new ValidationError({ imageIds: ['unknown_image'] });
  const unique = [...new Set(ids)];
  const found = await bucket()
    .find({ _id: { $in: unique.map((id) => new ObjectId(id)) }, 'metadata.orgId': new ObjectId(orgId), 'metadata.thumbId': { $exists: true } })
    .project({ _id: 1 })
    .toArray();
  if (found.length !== unique.length) throw new ValidationError({ imageIds: ['unknown_image'] });
  return ids.map((id) => new mongoose.Types.ObjectId(id));
}

export type MediaVariant = 'original' | 'thumb';

/** A picture of the organisation; the caller has decided the reader may see it. */
export async function openImage(
  orgId: string,
  imageId: string,
  variant: MediaVariant,
): Promise<{ stream: Readable; mime: string; size: number; etag: string }> {
  if (!mongoose.isObjectIdOrHexString(imageId)) throw new NotFoundError('No such image');
  const [original] = await bucket()
    .find({ _id: new ObjectId(imageId), 'metadata.orgId': new ObjectId(orgId), 'metadata.thumbId': { $exists: true } })
    .limit(1)
    .toArray();
  if (!original) throw new NotFoundError('No such image');
  const file =
    variant === 'thumb'
      ? (
          await bucket()
            .find({ _id: original.metadata!.thumbId as ObjectId })
            .limit(1)
            .toArray()
        )[0]
      : original;
  if (!file) throw new NotFoundError('No such image');
  return { stream: bucket().openDownloadStream(file._id), mime: String(file.metadata?.mime), size: file.length, etag: `"${String(file._id)}"` };
}

/** Pictures a post or campaign now shows: no longer candidates for the sweep of unused uploads. */
export async function markImagesAttached(orgId: string, ids: mongoose.Types.ObjectId[]): Promise<void> {
  if (!ids.length) return;
  await mongoose.connection
    .db!.collection('media.files')
    .updateMany(
      { _id: { $in: ids.map((id) => new ObjectId(id.toHexString())) }, 'metadata.orgId': new ObjectId(orgId) },
      { $set: { 'metadata.attached': true } },
    );
}

/**
 * Uploads nothing ever showed (the API uploads first and posts the ids after; a client may never post), older than
 * the grace period, across organisations: the candidates for the sweep. Callers check references before deleting.
 */
export async function unattachedImagesBefore(cutoff: Date, limit: number): Promise<{ orgId: string; id: mongoose.Types.ObjectId }[]> {
  const files = await bucket()
    .find({ 'metadata.thumbId': { $exists: true }, 'metadata.attached': { $ne: true }, uploadDate: { $lt: cutoff } })
    .project({ metadata: 1 })
    .limit(limit)
    .toArray();
  return files.map((file) => ({ orgId: String(file.metadata?.orgId), id: new mongoose.Types.ObjectId(String(file._id)) }));
}

/** Who uploaded a picture of the organisation (null for the organisation's own jobs, or no such picture). */
export async function imageUploader(orgId: string, imageId: string): Promise<string | null> {
  if (!mongoose.isObjectIdOrHexString(imageId)) return null;
  const [file] = await bucket()
    .find({ _id: new ObjectId(imageId), 'metadata.orgId': new ObjectId(orgId) })
    .project({ metadata: 1 })
    .limit(1)
    .toArray();
  return file?.metadata?.uploadedBy ? String(file.metadata.uploadedBy) : null;
}

/** Removes pictures and their thumbnails (a publish that failed after storing them). */
export async function deleteImages(orgId: string, ids: mongoose.Types.ObjectId[]): Promise<void> {
  if (!ids.length) return;
  const files = await bucket()
    .find({ _id: { $in: ids.map((id) => new ObjectId(id.toHexString())) }, 'metadata.orgId': new ObjectId(orgId) })
    .toArray();
  for (const file of files) {
    await bucket()
      .delete(file._id)
      .catch(() => undefined);
    if (file.metadata?.thumbId)
      await bucket()
        .delete(file.metadata.thumbId as ObjectId)
        .catch(() => undefined);
  }
}
