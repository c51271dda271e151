import type { RouteSpec } from './gate.js';
import { markDeclared } from './declared.js';
import { ctxOf } from './gate.js';
import type { Access, Endpoint, InputSchemas } from './endpoint.js';
import { form, formReceived, type FormOptions } from './surfaces.js';
import { withPictureForm } from './picture-uploads.js';

/** The body field the received pictures are handed to the endpoint in (its body schema declares them). */
const RECEIVED_PICTURES = 'images';

export type PictureFormOptions<I extends InputSchemas, R, A extends Access> = FormOptions<I, R, A> & { pictures: { maxFiles: number; maxFileBytes: number } };

/**
 * A page form that may carry pictures (multipart/form-data): read with the upload helpers (spooled to temporary files,
 * counted against the signed-in person's upload slots, removed once answered), then parsed, run and shown again like
 * any form, with the received files in the body as `images`. A refused upload (a cap) is shown on the form; a form
 * shown again says that chosen pictures must be chosen again (`imagesLost`): browsers cannot put them back.
 */
function pictureFormRoute<I extends InputSchemas, R, A extends Access>(path: string, ep: Endpoint<I, R, A>, opts: PictureFormOptions<I, R, A>): RouteSpec {
  const spec = form.post(path, ep, { ...opts, secretFields: [...(opts.secretFields ?? []), RECEIVED_PICTURES] });
  const handler: RouteSpec['handler'] = (req, res) =>
    withPictureForm(req, { uploader: { staffId: ctxOf(req).actor.id }, ...opts.pictures }, async (upload) => {
      req.body = { ...upload.fields, [RECEIVED_PICTURES]: upload.files };
      formReceived(req, { refusal: upload.refusal, shownAgain: { imagesLost: upload.chosen > 0 } });
      await spec.handler(req, res);
    });
  // The form's own route (built over the endpoint), its handler wrapped: still a declared route.
  return markDeclared({ ...spec, handler });
}

export const pictureForm = { post: pictureFormRoute };
