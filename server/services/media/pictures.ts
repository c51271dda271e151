import { fileTypeFromBuffer, fileTypeFromFile } from 'file-type';
import sharp from 'sharp';
import { AppError, PayloadTooLargeError, ValidationError } from '../../errors.js';
import { socialLimits, uploadLimits } from '../../domain/settings.js';

/** A picture received over HTTP, spooled to a temporary file by the transport (never held whole in memory). */
export type PictureFile = { path: string; size: number };

/** What services take: a received file, or bytes already in memory (jobs, scripts, tests). */
export type PictureInput = PictureFile | Buffer;

export type CheckedPicture = { source: PictureInput; size: number; mime: string; ext: string; thumbnail: Buffer };

/** What sharp calls each allowed type once decoded: the decoder must agree with the signature. */
const decodedFormat: Record<string, string> = { 'image/jpeg': 'jpeg', 'image/png': 'png', 'image/webp': 'webp', 'image/gif': 'gif' };

const sizeOf = (input: PictureInput) => (Buffer.isBuffer(input) ? input.length : input.size);

/**
 * The one check of picture bytes on every upload path (customer chat, post and campaign forms, the API): within the
 * size limit, a signature of an allowed type, and bytes that decode as that type. The first bytes alone prove
 * nothing (`GIF89a<script>…` starts like a GIF), so the picture is decoded into its thumbnail, which the staff pages
 * use and which costs one decode. Animated GIFs are judged by their first frame, as their thumbnail shows it.
 */
export async function checkPicture(input: PictureInput, opts: { maxBytes: number; types: readonly string[]; field: string }): Promise<CheckedPicture> {
  const size = sizeOf(input);
  if (size > opts.maxBytes) throw new PayloadTooLargeError('The picture is too large.', { details: { limitBytes: opts.maxBytes } });
  const refused = () => new ValidationError({ [opts.field]: ['image_type'] });
  if (!size) throw refused();
  const type = Buffer.isBuffer(input) ? await fileTypeFromBuffer(input) : await fileTypeFromFile(input.path);
  if (!type || !opts.types.includes(type.mime) || !decodedFormat[type.mime]) throw refused();
  try {
    // sharp fails on decoder warnings by default (a truncated or corrupt stream), which is what we want here.
    const image = sharp(Buffer.isBuffer(input) ? input : input.path, { limitInputPixels: uploadLimits.pictureMaxPixels });
    const { format } = await image.metadata();
    if (format !== decodedFormat[type.mime]) throw refused();
    const thumbnail = await image.rotate().resize({ width: socialLimits.thumbnailWidth, withoutEnlargement: true }).webp({ quality: 80 }).toBuffer();
    return { source: input, size, mime: type.mime, ext: type.ext, thumbnail };
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw refused();
  }
}
