import { ObjectId } from 'mongodb';
import { gridfsBucket, uploadToBucket } from '../media/gridfs.js';
import { checkPicture, type PictureInput } from '../media/pictures.js';
import type { Readable } from 'node:stream';
import { NotFoundError } from '../../errors.js';
import { chatLimits } from '../../domain/settings.js';
import { ChatMessage } from '../../models/chat-session.js';
import { mongoose } from '../../db/connect.js';

/** Chat images live in GridFS (bucket `chatImages`), each tagged with its organisation and the visitor who sent it. */
const bucket = () => gridfsBucket('chatImages');

export type StoredImage = { fileId: mongoose.Types.ObjectId; mime: string; size: number };

/** Who sent a picture: a customer (visitor) or a staff member serving the chat. */
export type ImageSender = { orgId: string } & ({ visitorId: string } | { staffId: string });

/** A picture for a chat message, through the same check as every other upload (at most 5 MB here); stored only if it decodes. */
export async function storeChatImage(sender: ImageSender, input: PictureInput): Promise<StoredImage> {
  const picture = await checkPicture(input, { maxBytes: chatLimits.imageMaxBytes, types: chatLimits.imageTypes, field: 'image' });
  const fileId = new ObjectId();
  const by = 'visitorId' in sender ? { visitorId: new ObjectId(sender.visitorId) } : { staffId: new ObjectId(sender.staffId) };
  await uploadToBucket(bucket(), fileId, `chat-${fileId.toHexString()}.${picture.ext}`, picture.source, {
    orgId: new ObjectId(sender.orgId),
    ...by,
    mime: picture.mime,
  });
  return { fileId: new mongoose.Types.ObjectId(fileId.toHexString()), mime: picture.mime, size: picture.size };
}

/** A picture of the organisation, optionally only one this sender uploaded. */
async function findImage(orgId: string, imageId: string, uploadedBy?: { visitorId: string } | { staffId: string }) {
  if (!mongoose.isObjectIdOrHexString(imageId)) throw new NotFoundError('No such image');
  const filter: Record<string, unknown> = { _id: new ObjectId(imageId), 'metadata.orgId': new ObjectId(orgId) };
  if (uploadedBy && 'visitorId' in uploadedBy) filter['metadata.visitorId'] = new ObjectId(uploadedBy.visitorId);
  if (uploadedBy && 'staffId' in uploadedBy) filter['metadata.staffId'] = new ObjectId(uploadedBy.staffId);
  const [file] = await bucket().find(filter).limit(1).toArray();
  if (!file) throw new NotFoundError('No such image');
  return file;
}

/** A picture the sender uploaded, to attach to their message (nobody sends another's upload). */
export async function imageForMessage(sender: ImageSender, imageId: string): Promise<StoredImage> {
  const file = await findImage(sender.orgId, imageId, 'visitorId' in sender ? { visitorId: sender.visitorId } : { staffId: sender.staffId });
  return { fileId: new mongoose.Types.ObjectId(String(file._id)), mime: String(file.metadata?.mime), size: file.length };
}

/**
 * A picture the customer may open: one they uploaded, or one an agent sent them (in a message of theirs, not a
 * note). Staff open any of the organisation's (their reach is checked on the message, see imageInReach).
 */
export async function openChatImageForVisitor(
  orgId: string,
  imageId: string,
  visitorId: string,
): Promise<{ stream: Readable; mime: string; size: number; etag: string }> {
  if (!mongoose.isObjectIdOrHexString(imageId)) throw new NotFoundError('No such image');
  const sentToThem = await ChatMessage.exists({
    orgId: new ObjectId(orgId),
    visitorId: new ObjectId(visitorId),
    internal: false,
    'image.fileId': new ObjectId(imageId),
  });
  return openChatImage(orgId, imageId, sentToThem ? undefined : visitorId);
}

export async function openChatImage(
  orgId: string,
  imageId: string,
  visitorId?: string,
): Promise<{ stream: Readable; mime: string; size: number; etag: string }> {
  const file = await findImage(orgId, imageId, visitorId ? { visitorId } : undefined);
  // A stored picture never changes, so its id is its version.
  return { stream: bucket().openDownloadStream(file._id), mime: String(file.metadata?.mime), size: file.length, etag: `"${String(file._id)}"` };
}

/** Removes pictures for good (erasure on the customer's request). */
export async function deleteChatImages(fileIds: mongoose.Types.ObjectId[]): Promise<void> {
  for (const id of fileIds)
    await bucket()
      .delete(new ObjectId(id.toHexString()))
      .catch(() => undefined);
}

/** Every picture these visitors uploaded, sent or not (erasure). */
export async function deleteVisitorImages(orgId: mongoose.Types.ObjectId, visitorIds: mongoose.Types.ObjectId[]): Promise<void> {
  if (!visitorIds.length) return;
  const files = await bucket()
    .find({ 'metadata.orgId': new ObjectId(orgId.toHexString()), 'metadata.visitorId': { $in: visitorIds.map((id) => new ObjectId(id.toHexString())) } })
    .toArray();
  await deleteChatImages(files.map((file) => new mongoose.Types.ObjectId(String(file._id))));
}
