import type { Request } from 'express';
import type { RouteSpec } from './gate.js';
import { contextFor, parseParts, type Access, type Endpoint, type InputOf, type InputSchemas } from './endpoint.js';
import { declared, runParsed, viewCtx, type ViewCtx } from './surfaces.js';
import { tr } from './translate.js';
import { toAppError } from '../middlewares/errors.js';
import { UnauthenticatedError, type AppError } from '../errors.js';
import type { PictureFile } from '../services/media/pictures.js';
import { sendImage, type OpenedImage } from './send-image.js';
import { withPictureBody } from './picture-uploads.js';
import { receiveMultipartCsv, receiveRawCsv, type ReceivedFile } from './uploads.js';

/**
 * The surfaces whose body is a file rather than fields: pictures sent out (the run opens one, the kit streams it),
 * and uploads taken in (the kit spools the file to disk, then the endpoint parses and runs with it).
 */

// --- Pictures out -------------------------------------------------------------------------------------------------

export const image = {
  get: <I extends InputSchemas, A extends Access>(path: string, ep: Endpoint<I, OpenedImage, A>): RouteSpec =>
    declared('get', path, ep, async (req, res) => {
      const { result } = await runParsed(ep, req);
      await sendImage(req, res, result);
    }),
};

// --- Uploads in ---------------------------------------------------------------------------------------------------

/**
 * Receives an upload before the endpoint's body is parsed: the file goes into the body (as `file`, beside the form's
 * fields) that `proceed` parses and runs with. The receiver owns the file and removes it once the run is done with it.
 */
export type Receiver<R> = (req: Request, proceed: (body: Record<string, unknown>) => Promise<R>) => Promise<R>;

/** The file stays while the result still reads it (`keepUntil`, an import in the background); refused, it goes at once. */
async function held<R>(file: ReceivedFile, proceed: () => Promise<R>, keepUntil: (result: R) => Promise<unknown>): Promise<R> {
  try {
    const result = await proceed();
    void keepUntil(result).finally(file.remove);
    return result;
  } catch (err) {
    file.remove();
    throw err;
  }
}

export const receive = {
  /** A picture as the raw body, holding one of the signed-in uploader's upload slots; removed once the run is done. */
  picture:
    <R>(maxBytes: number): Receiver<R> =>
    (req, proceed) => {
      if (!req.ctx) throw new UnauthenticatedError('Sign in first.');
      return withPictureBody(req, { uploader: { staffId: req.ctx.actor.id }, maxBytes }, (file: PictureFile) => proceed({ file }));
    },
  /** A CSV as the raw body (the API: `Content-Type: text/csv`). */
  csv:
    <R>(keepUntil: (result: R) => Promise<unknown>): Receiver<R> =>
    async (req, proceed) => {
      const file = await receiveRawCsv(req);
      return held(file, () => proceed({ file }), keepUntil);
    },
  /** A CSV from a page form (multipart/form-data, one file field named `file`), with the form's other fields. */
  csvForm:
    <R>(keepUntil: (result: R) => Promise<unknown>): Receiver<R> =>
    async (req, proceed) => {
      const file = await receiveMultipartCsv(req);
      return held(file, () => proceed({ ...file.fields, file }), keepUntil);
    },
};

async function runReceived<I extends InputSchemas, R, A extends Access>(ep: Endpoint<I, R, A>, req: Request, receiver: Receiver<R>) {
  const ctx = contextFor(ep, req);
  // The address and the query are checked before a byte of the upload is read.
  const input = parseParts(ep, req, ['params', 'query']) as InputOf<I>;
  const result = await receiver(req, async (body) => {
    req.body = body;
    Object.assign(input, parseParts(ep, req, ['body']));
    return ep.run(ctx, input);
  });
  return { ctx, input, result };
}

export type UploadApiOptions<I extends InputSchemas, R, A extends Access> = {
  receive: Receiver<R>;
  status?: number;
  present?: (result: R, view: ViewCtx<I, A>) => unknown;
  /** Where the created record is read (a `Location` header). */
  location?: (result: R) => string;
};

export type UploadFormOptions<I extends InputSchemas, R, A extends Access> = {
  receive: Receiver<R>;
  /**
   * A refused upload shows its page again with the refusal, whatever the person can act on (not a fault of the
   * server, nor a missing permission): `model` builds the page from the error.
   */
  view: string;
  model: (refused: { error: AppError; t: ViewCtx<I, A>['t'] }) => Record<string, unknown>;
  redirect: (result: R) => string;
};

export const upload = {
  /** The API: the upload is the body; JSON out. */
  api: <I extends InputSchemas, R, A extends Access>(path: string, ep: Endpoint<I, R, A>, opts: UploadApiOptions<I, R, A>): RouteSpec =>
    declared('post', path, ep, async (req, res) => {
      const { ctx, input, result } = await runReceived(ep, req, opts.receive);
      if (opts.location) res.location(opts.location(result));
      res.status(opts.status ?? 200).json(opts.present ? await opts.present(result, viewCtx(req, ctx, input)) : result);
    }),
  /** A page form with a file: redirect on success, or the page again saying why the file was refused. */
  form: <I extends InputSchemas, R, A extends Access>(path: string, ep: Endpoint<I, R, A>, opts: UploadFormOptions<I, R, A>): RouteSpec =>
    declared('post', path, ep, async (req, res) => {
      let result: R;
      try {
        ({ result } = await runReceived(ep, req, opts.receive));
      } catch (err) {
        const error = toAppError(err);
        if (!error || error.status >= 500 || error.status === 403) throw err;
        return void res.status(error.status).render(opts.view, opts.model({ error, t: (key, params) => tr(req, key, params) }));
      }
      res.redirect(303, opts.redirect(result));
    }),
};
