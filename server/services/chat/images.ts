import { ObjectId } from 'mongodb';
import { gridfsBucket, uploadToBucket } from '../media/gridfs.js';
import { checkPicture, type PictureInput } from '../media/pictures.js';
import type { Readable } from 'node:stream';
import { NotFoundError } from '../../errors.js';
import { chatLimits } from '../settings/org-settings.js';
import type { VisitorContext } from './visitors.js';
import { mongoose } from '../../db/connect.js';

/** Chat images live in GridFS (bucket `chatImages`), each tagged with its organisation and the visitor who sent it. */
const bucket = () => gridfsBucket('chatImages');

export type StoredImage = { fileId: mongoose.Types.ObjectId; mime: string; size: number };

/** A customer's picture, through the same check as every other upload (at most 5 MB here); stored only if it decodes. */
export async function storeChatImage(ctx: VisitorContext, input: PictureInput): Promise<StoredImage> {
  const picture = await checkPicture(input, { maxBytes: chatLimits.imageMaxBytes, types: chatLimits.imageTypes, field: 'image' });
  const fileId = new ObjectId();
  await uploadToBucket(bucket(), fileId, `chat-${fileId.toHexString()}.${picture.ext}`, picture.source, { orgId: new ObjectId(ctx.orgId), visitorId: new ObjectId(ctx.visitorId), mime: picture.mime });
  return { fileId: new mongoose.Types.ObjectId(fileId.toHexString()), mime: picture.mime, size: picture.size };
}

/** An image within reach: the organisation's for staff; for a customer, only what that visitor sent. */
async function findImage(orgId: string, imageId: string, visitorId?: string) {
  if (!mongoose.isObjectIdOrHexString(imageId)) throw new NotFoundError('No such image');
  const filter: Record<string, unknown> = { _id: new ObjectId(imageId), 'metadata.orgId': new ObjectId(orgId) };
  if (visitorId) filter['metadata.visitorId'] = new ObjectId(visitorId);
  const [file] = await bucket().find(filter).limit(1).toArray();
  if (!file) throw new NotFoundError('No such image');
  return file;
}

export async function imageForMessage(ctx: VisitorContext, imageId: string): Promise<StoredImage> {
  const file = await findImage(ctx.orgId, imageId, ctx.visitorId);
  return { fileId: new mongoose.Types.ObjectId(String(file._id)), mime: String(file.metadata?.mime), size: file.length };
}

export async function openChatImage(orgId: string, imageId: string, visitorId?: string): Promise<{ stream: Readable; mime: string; size: number; etag: string }> {
  const file = await findImage(orgId, imageId, visitorId);
  // A stored picture never changes, so its id is its version.
  return { stream: bucket().openDownloadStream(file._id), mime: String(file.metadata?.mime), size: file.length, etag: `"${String(file._id)}"` };
}

/** Removes pictures for good (erasure on the customer's request). */
export async function deleteChatImages(fileIds: mongoose.Types.ObjectId[]): Promise<void> {
  for (const id of fileIds) await bucket().delete(new ObjectId(id.toHexString())).catch(() => undefined);
}

/** Every picture these visitors uploaded, sent or not (erasure). */
export async function deleteVisitorImages(orgId: mongoose.Types.ObjectId, visitorIds: mongoose.Types.ObjectId[]): Promise<void> {
  if (!visitorIds.length) return;
  const files = await bucket()
    .find({ 'metadata.orgId': new ObjectId(orgId.toHexString()), 'metadata.visitorId': { $in: visitorIds.map((id) => new ObjectId(id.toHexString())) } })
    .toArray();
  await deleteChatImages(files.map((file) => new mongoose.Types.ObjectId(String(file._id))));
}
