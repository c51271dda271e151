import { tr } from './translate.js';
import type { Request, Response } from 'express';
import type { z } from 'zod';
import { toAppError } from '../middlewares/errors.js';
import { RateLimitedError, ValidationError, type AppError } from '../errors.js';
import { i18n } from '../i18n/index.js';

/**
 * A form post: parse with the sibling zod schema, run one service call, redirect on success.
 * On bad input the same page is rendered again with the values entered and a message per field,
 * so nothing a person typed is lost. Other errors go to the error handler.
 */
export async function handleForm<S extends z.ZodType>(
  req: Request,
  res: Response,
  opts: {
    schema: S;
    view: string;
    /** The page model to show the form again (titles, choices); values and errors are added. */
    model: () => Promise<Record<string, unknown>> | Record<string, unknown>;
    onValid: (input: z.infer<S>) => Promise<string>;
    /** Fields never echoed back (passwords). */
    secretFields?: string[];
    /** Shapes the posted fields for the view (for repeated rows), when they are not shown one to one. */
    formValues?: (body: Record<string, unknown>) => Record<string, unknown>;
    /** A refusal found while the form was received (an upload cap): shown on the form again like any other. */
    refusal?: AppError | null;
  },
): Promise<void> {
  try {
    if (opts.refusal) throw opts.refusal;
    const input = opts.schema.parse(req.body) as z.infer<S>;
    const redirectTo = await opts.onValid(input);
    res.redirect(303, redirectTo);
  } catch (err) {
    const appError = toAppError(err);
    if (!appError || !isFormError(appError)) throw err;
    const fields = (appError.details?.fields ?? {}) as Record<string, string[]>;
    if (appError instanceof RateLimitedError) res.setHeader('Retry-After', String(appError.retryAfterSeconds));
    const model = await opts.model();
    res.setHeader('Cache-Control', 'no-store');
    res.status(appError.status).render(opts.view, {
      ...model,
      values: valuesShownAgain(req.body as Record<string, unknown> | undefined, { secretFields: opts.secretFields, shape: opts.formValues }),
      errors: fieldMessages(fields, req.locale),
      formError: tr(req, appError.messageKey, appError.messageParams),
    });
  }
}

/**
 * The values a refused form is shown again with: everything posted (a checkbox group or a repeated row that came
 * once is one string: the view helpers read it as a list of one), except the person's own secrets (a login or
 * confirmation password, which was what failed), shaped where the view needs rows. Only what was posted: a box left
 * unticked is absent from the post, so a model's stored or default values beneath would tick it again.
 */
export function valuesShownAgain(
  body: Record<string, unknown> | undefined,
  opts: { secretFields?: string[] | undefined; shape?: ((body: Record<string, unknown>) => Record<string, unknown>) | undefined },
): Record<string, unknown> {
  const posted = { ...(body ?? {}) };
  delete posted._csrf;
  for (const field of opts.secretFields ?? []) delete posted[field];
  if (opts.shape) Object.assign(posted, opts.shape(posted));
  return posted;
}

/** A form field that may come once, several times or not at all (checkbox groups, repeated rows), as a list. */
export function fieldList(value: unknown): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)];
}

/** Refusals the person can act on from the form itself: bad fields, conflicts, a file too large, a limit reached. */
export function isFormError(err: AppError): boolean {
  return err instanceof ValidationError || err.status === 409 || err.status === 413 || err.status === 429;
}

/** `{field: ["too_small"]}` -> `{field: "至少需要 …"}` in the request's language. */
export function fieldMessages(fields: Record<string, string[]>, lng: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(fields).map(([field, codes]) => [field, codes.map((code) => i18n.t([`validation.${code}`, 'validation.invalid'], { lng })).join(' ')]),
  );
}
