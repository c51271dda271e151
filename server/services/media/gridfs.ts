import { GridFSBucket, type ObjectId } from 'mongodb';
import { fileTypeFromBuffer } from 'file-type';
import { mongoose } from '../../db/connect.js';

/** Files live in GridFS buckets, so several app processes need no shared disk. */
export function gridfsBucket(name: 'media' | 'chatImages'): GridFSBucket {
  return new GridFSBucket(mongoose.connection.db!, { bucketName: name });
}

export function uploadToBucket(bucket: GridFSBucket, id: ObjectId, name: string, data: Buffer, metadata: Record<string, unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    const stream = bucket.openUploadStreamWithId(id, name, { metadata });
    stream.once('finish', () => resolve());
    stream.once('error', reject);
    stream.end(data);
  });
}

/** What the bytes are (never the file name or the declared type), if it is one of the allowed image types. */
export async function sniffImageType(data: Buffer, allowed: readonly string[]): Promise<{ mime: string; ext: string } | null> {
  const type = data.length ? await fileTypeFromBuffer(data) : undefined;
  return type && allowed.includes(type.mime) ? { mime: type.mime, ext: type.ext } : null;
}
