import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Request } from 'express';
import busboy from 'busboy';
import { AppError, PayloadTooLargeError, RateLimitedError, ValidationError } from '../errors.js';
import { uploadLimits } from '../domain/settings.js';
import type { PictureFile } from '../services/media/pictures.js';
import { uploadSlots, type Uploader } from './upload-slots.js';
import { capped, clientLeft, cutShort, newTempPath, tooLarge } from './uploads.js';

/**
 * Pictures arrive as streams and are spooled to temporary files, never held whole in memory; the services check
 * and store them from there. Each upload holds a slot (upload-slots.ts) from its first byte until its answer, and
 * its files are removed when the request ends, however it ends: answered, refused, failed or cut off by the client.
 */

type Spooled = PictureFile & { named: boolean };

async function newSpoolFile(named = true): Promise<Spooled> {
  return { path: await newTempPath(), size: 0, named };
}

const malformed = () => new ValidationError({ _: ['malformed_body'] }, 'The form could not be read as multipart/form-data.');

async function removeSpooled(files: PictureFile[]): Promise<void> {
  await Promise.all(files.map((file) => fs.promises.rm(file.path, { force: true })));
}

/**
 * Writes the body to `file`. Past the limit (413) the rest is read and dropped rather than the connection cut, so
 * the client still gets the answer; a client that goes away mid-way ends it as cut short.
 */
function spoolBody(req: Request, file: PictureFile, maxBytes: number): Promise<void> {
  const counter = capped(file, maxBytes, 'refuse');
  const onClose = () => {
    if (!req.complete) counter.destroy(cutShort());
  };
  req.once('close', onClose);
  req.pipe(counter);
  return pipeline(counter, fs.createWriteStream(file.path))
    .catch((err: unknown) => {
      req.unpipe(counter);
      req.resume();
      throw err;
    })
    .finally(() => req.off('close', onClose));
}

/**
 * A picture sent as the raw body (the API, the chat page's upload): `use` gets the received file. Refused with 429
 * past an upload cap and 413 past `maxBytes` (declared or counted), before anything is kept. `admit` runs once the
 * upload has its slot and before its body is read (an allowance to count only for uploads that go ahead).
 */
export async function withPictureBody<T>(
  req: Request,
  opts: { uploader: Uploader; maxBytes: number; admit?: () => Promise<void> },
  use: (file: PictureFile) => Promise<T>,
): Promise<T> {
  const { maxBytes } = opts;
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) throw tooLarge(maxBytes);
  const release = uploadSlots.take(opts.uploader);
  const files: Spooled[] = [];
  try {
    await opts.admit?.();
    const file = await newSpoolFile();
    files.push(file);
    await spoolBody(req, file, maxBytes);
    return await use(file);
  } finally {
    await removeSpooled(files);
    release();
  }
}

export type PictureForm = {
  fields: Record<string, string | string[]>;
  files: PictureFile[];
  /** File inputs the person filled, kept or not: a form shown again says they must be chosen again. */
  chosen: number;
  /** Set when the upload was refused (an upload cap): the fields were read so the page can show the form again. */
  refusal: AppError | null;
};

/**
 * A page form with pictures (multipart/form-data): `use` gets the fields and the received files. A file past the
 * size limit, or more files than allowed, are kept as received (counted, not written past the limit), so the
 * service's checks refuse them with a message on the form instead of the upload failing half-way. Past an upload
 * cap the fields are still read (the files are not kept) and `refusal` says why. A file input left empty is no file.
 */
export async function withPictureForm<T>(
  req: Request,
  opts: { uploader: Uploader; maxFiles: number; maxFileBytes: number },
  use: (form: PictureForm) => Promise<T>,
): Promise<T> {
  if (!req.is('multipart/form-data')) return use({ fields: { ...((req.body as Record<string, string>) ?? {}) }, files: [], chosen: 0, refusal: null });
  let release: (() => void) | undefined;
  let refusal: AppError | null = null;
  try {
    release = uploadSlots.take(opts.uploader);
  } catch (err) {
    if (!(err instanceof RateLimitedError)) throw err;
    refusal = err;
  }
  const files: Spooled[] = [];
  try {
    const { fields, chosen } = await readForm(req, { ...opts, keepFiles: !refusal }, files);
    return await use({ fields, files: files.filter((f) => f.size > 0 || f.named), chosen, refusal });
  } finally {
    await removeSpooled(files);
    release?.();
  }
}

/** Reads a multipart form to its end; spooled files are pushed to `files` as they start, so the caller removes them whatever happens. */
function readForm(
  req: Request,
  opts: { maxFiles: number; maxFileBytes: number; keepFiles: boolean },
  files: Spooled[],
): Promise<{ fields: Record<string, string | string[]>; chosen: number }> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, string | string[]> = {};
    let chosen = 0;
    const writes: Promise<void>[] = [];
    let fieldBytes = 0;
    let failure: unknown;
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: opts.maxFiles + 1, fields: 200, fieldSize: uploadLimits.formFieldsMaxBytes } });
    } catch {
      return reject(malformed()); // no boundary in the Content-Type
    }
    // The first failure ends the reading; the answer waits until every file being written has stopped, so the
    // caller's clean-up finds them all closed.
    const fail = (err: unknown) => {
      if (failure) return;
      failure = err;
      req.unpipe(parser);
      req.resume();
      parser.destroy();
      void Promise.allSettled(writes).then(() => reject(err));
    };
    parser.on('field', (name, value, info) => {
      fieldBytes += Buffer.byteLength(name) + Buffer.byteLength(value);
      if (info.valueTruncated || fieldBytes > uploadLimits.formFieldsMaxBytes)
        return fail(new PayloadTooLargeError('The form fields are too large.', { details: { limitBytes: uploadLimits.formFieldsMaxBytes } }));
      const current = fields[name];
      fields[name] = current === undefined ? value : Array.isArray(current) ? [...current, value] : [current, value];
    });
    parser.on('file', (_name, stream, info) => {
      if (info.filename) chosen += 1;
      if (!opts.keepFiles || failure) return void stream.resume();
      writes.push(
        newSpoolFile(Boolean(info.filename))
          .then((file) => {
            files.push(file);
            return pipeline(stream, capped(file, opts.maxFileBytes, 'count'), fs.createWriteStream(file.path));
          })
          .catch((err: unknown) => {
            stream.resume();
            fail(err);
          }),
      );
    });
    parser.on('error', () => fail(clientLeft(req) ? cutShort() : malformed()));
    parser.on('close', () => void Promise.all(writes).then(() => (failure ? undefined : resolve({ fields, chosen }))));
    req.once('close', () => {
      if (!req.complete) fail(cutShort());
    });
    req.pipe(parser);
  });
}
