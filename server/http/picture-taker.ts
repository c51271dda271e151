import type { RouteSpec } from './gate.js';
import type { Access, Endpoint, InputSchemas } from './endpoint.js';
import { declared, runParsed } from './surfaces.js';
import { clientIp } from '../middlewares/auth.js';
import { withPictureBody } from './picture-uploads.js';
import type { PictureFile } from '../services/media/pictures.js';

/**
 * A picture uploaded by someone who is not signed in (the public chat page), as the raw body. The endpoint's run
 * decides first who may upload and gives what takes the picture; only then does the kit read the body, holding one of
 * the address's upload slots, and `admit` counts the address's allowance once the upload has its slot (an upload
 * refused at the door spends none of it). The CSV download does the same the other way round: the run gives the writer.
 */
export type PictureTaker<T> = (file: PictureFile) => Promise<T>;

export type PictureTakerOptions<T> = {
  maxBytes: number;
  admit?: (address: string) => Promise<void>;
  present: (taken: T) => unknown;
};

export const anonymousPicture = {
  post: <I extends InputSchemas, T, A extends Access>(path: string, ep: Endpoint<I, PictureTaker<T>, A>, opts: PictureTakerOptions<T>): RouteSpec =>
    declared('post', path, ep, async (req, res) => {
      const { result: take } = await runParsed(ep, req);
      const address = clientIp(req);
      const admit = opts.admit;
      const taken = await withPictureBody(req, { uploader: { address }, maxBytes: opts.maxBytes, ...(admit ? { admit: () => admit(address) } : {}) }, take);
      res.status(201).json(opts.present(taken));
    }),
};
