import { z } from 'zod';
import type { PictureFile } from '../../services/media/pictures.js';

/** A picture's id in the address; one out of reach (or naming nothing) answers 404 from the service. */
export const imageParams = z.object({ id: z.string() });

/** The picture the upload surface spooled to disk (server/http/file-surfaces.ts), as the body the endpoint parses. */
export const pictureUpload = z.object({ file: z.custom<PictureFile>((v) => typeof (v as PictureFile | undefined)?.path === 'string') });
