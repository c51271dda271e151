import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import type { Request } from 'express';
import busboy from 'busboy';
import { AppError, BadRequestError, PayloadTooLargeError, ValidationError } from '../errors.js';

export const CSV_UPLOAD_MAX_BYTES = 50 * 1024 * 1024;

export type ReceivedFile = { filePath: string; fileName: string; fields: Record<string, string>; remove(): void };

/** This process's own folder for uploads in progress: a crashed process's leftovers stand apart, and tests can see that nothing stays. */
export const uploadTempDir = () => path.join(os.tmpdir(), `storelink-uploads-${process.pid}`);

/** A new file name in that folder (the folder is made when missing). */
export async function newTempPath(ext = ''): Promise<string> {
  await fs.promises.mkdir(uploadTempDir(), { recursive: true });
  return path.join(uploadTempDir(), `${crypto.randomBytes(12).toString('hex')}${ext}`);
}

export const tooLarge = (limitBytes: number) => new PayloadTooLargeError('The file is too large.', { details: { limitBytes } });

/**
 * Counts every byte into `file.size` on the way to disk and lets through at most `maxBytes`, so a huge upload
 * never fills the disk. `refuse` fails the stream at the limit; `count` reads on without writing (a form read to
 * its end, so it can be shown again while the file is refused by its size).
 */
export function capped(file: { size: number }, maxBytes: number, over: 'refuse' | 'count'): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      const room = maxBytes - file.size;
      file.size += chunk.length;
      if (file.size > maxBytes && over === 'refuse') return done(tooLarge(maxBytes));
      done(null, room >= chunk.length ? chunk : room > 0 ? chunk.subarray(0, room) : undefined);
    },
  });
}

async function saveStream(source: Readable, maxBytes: number): Promise<string> {
  const filePath = await newTempPath('.csv');
  try {
    await pipeline(source, capped({ size: 0 }, maxBytes, 'refuse'), fs.createWriteStream(filePath));
    return filePath;
  } catch (err) {
    fs.rmSync(filePath, { force: true });
    throw err;
  }
}

const removeFile = (filePath: string) => () => fs.rmSync(filePath, { force: true });

/** A request its client cut off: nobody reads the answer, but it is the client's doing, not a server error. */
export const cutShort = () => new BadRequestError('The upload was cut short.', 'unreadable_body');
export const clientLeft = (req: Request) => req.destroyed && !req.complete;

/** A CSV sent as the raw request body (the API: `Content-Type: text/csv`). */
export async function receiveRawCsv(req: Request, maxBytes = CSV_UPLOAD_MAX_BYTES): Promise<ReceivedFile> {
  if (!req.is('text/csv')) throw new ValidationError({ file: ['csv_content_type'] }, 'Send the CSV as the body with Content-Type: text/csv.');
  const filePath = await saveStream(req, maxBytes).catch((err: unknown) => {
    throw err instanceof AppError || !clientLeft(req) ? err : cutShort();
  });
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
    let cut = false;
    // A client that goes away leaves the form unfinished, and busboy would wait for its end for ever: the file
    // being saved is stopped (which removes it) before the request fails.
    req.once('close', () => {
      if (req.complete) return;
      cut = true;
      parser.destroy();
      void (saving ?? Promise.resolve()).catch(() => undefined).finally(() => reject(cutShort()));
    });
    parser.on('error', (err) => {
      if (!cut) reject(err);
    });
    parser.on('close', () => {
      if (cut) return;
      if (!saving) return reject(new ValidationError({ file: ['required'] }, 'Choose a CSV file.'));
      saving.then(({ filePath, fileName }) => resolve({ filePath, fileName, fields, remove: removeFile(filePath) }), reject);
    });
    req.pipe(parser);
  });
}
