import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GridFSBucket, type ObjectId } from 'mongodb';
import { mongoose } from '../../db/connect.js';
import type { PictureInput } from './pictures.js';

/** Files live in GridFS buckets, so several app processes need no shared disk. */
export function gridfsBucket(name: 'media' | 'chatImages'): GridFSBucket {
  return new GridFSBucket(mongoose.connection.db!, { bucketName: name });
}

/**
 * Streams a file into the bucket (a received file is read from disk chunk by chunk, never whole). An upload that
 * fails half-way has written chunks no file document points at: they are removed with it.
 */
export async function uploadToBucket(bucket: GridFSBucket, id: ObjectId, name: string, source: PictureInput, metadata: Record<string, unknown>): Promise<void> {
  const upload = bucket.openUploadStreamWithId(id, name, { metadata });
  try {
    await pipeline(Buffer.isBuffer(source) ? Readable.from([source]) : fs.createReadStream(source.path), upload);
  } catch (err) {
    await bucket.delete(id).catch(() => undefined);
    throw err;
  }
}
