import { z } from 'zod';
import { presentString, requiredText } from '../../domain/input-fields.js';
import { fieldErrorsOf } from '../../errors.js';

const password = presentString().min(1, 'required').max(128, 'too_long');

/** An API client signs in and names its token in one request (the API has no session). */
export const createTokenSchema = z.object({
  login: requiredText(64),
  password,
  name: requiredText(60),
});

export const tokenNameSchema = z.object({ name: requiredText(60) });

/**
 * The profile page's token form: a refused name is shown on the profile again (the name typed, its own message),
 * never as an error page, and the token it creates is shown on that same answer; so the refusal is a value here.
 */
export const tokenNameFormSchema = z.unknown().transform((raw) => {
  const parsed = tokenNameSchema.safeParse(raw);
  if (parsed.success) return { name: parsed.data.name, refused: null };
  const typed = (raw as { name?: unknown } | null | undefined)?.name;
  return { name: typeof typed === 'string' ? typed : '', refused: fieldErrorsOf(parsed.error) };
});

/** A token's id in the address; the service answers 404 for one that is not the person's own. */
export const tokenParams = z.object({ id: z.string() });
