import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import type { Request } from 'express';
import busboy from 'busboy';
import { PayloadTooLargeError, ValidationError } from '../errors.js';

export const CSV_UPLOAD_MAX_BYTES = 50 * 1024 * 1024;

export type ReceivedFile = { filePath: string; fileName: string; fields: Record<string, string>; remove(): void };

function tempPath(): string {
  return path.join(os.tmpdir(), `storelink-upload-${crypto.randomBytes(8).toString('hex')}.csv`);
}

/** Counts bytes on the way to disk and stops at the limit, so a huge upload never fills the disk. */
function limit(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > maxBytes) done(new PayloadTooLargeError('The file is too large.'));
      else done(null, chunk);
    },
  });
}

async function saveStream(source: Readable, maxBytes: number): Promise<string> {
  const filePath = tempPath();
  try {
    await pipeline(source, limit(maxBytes), fs.createWriteStream(filePath));
    return filePath;
  } catch (err) {
    fs.rmSync(filePath, { force: true });
    throw err;
  }
}

const removeFile = (filePath: string) => () => fs.rmSync(filePath, { force: true });

/** A CSV sent as the raw request body (the API: `Content-Type: text/csv`). */
export async function receiveRawCsv(req: Request, maxBytes = CSV_UPLOAD_MAX_BYTES): Promise<ReceivedFile> {
  if (!req.is('text/csv')) throw new ValidationError({ file: ['csv_content_type'] }, 'Send the CSV as the body with Content-Type: text/csv.');
  const filePath = await saveStream(req, maxBytes);
  return { filePath, fileName: 'upload.csv', fields: {}, remove: removeFile(filePath) };
}

/** A CSV from a page form (multipart/form-data with one file field named `file`). */
export function receiveMultipartCsv(req: Request, maxBytes = CSV_UPLOAD_MAX_BYTES): Promise<ReceivedFile> {
  return new Promise((resolve, reject) => {
    if (!req.is('multipart/form-data')) return reject(new ValidationError({ file: ['required'] }, 'Choose a CSV file.'));
    const fields: Record<string, string> = {};
    let saving: Promise<{ filePath: string; fileName: string }> | undefined;
    const parser = busboy({ headers: req.headers, limits: { files: 1, fields: 10, fieldSize: 1024 } });
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (_name, stream, info) => {
      saving = saveStream(stream, maxBytes).then((filePath) => ({ filePath, fileName: info.filename ?? 'upload.csv' }));
      saving.catch(() => stream.resume());
    });
    parser.on('error', reject);
    parser.on('close', () => {
      if (!saving) return reject(new ValidationError({ file: ['required'] }, 'Choose a CSV file.'));
      saving.then(({ filePath, fileName }) => resolve({ filePath, fileName, fields, remove: removeFile(filePath) }), reject);
    });
    req.pipe(parser);
  });
}
