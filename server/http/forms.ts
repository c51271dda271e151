import { ValidationError, type AppError } from '../errors.js';
import { i18n } from '../i18n/index.js';

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
