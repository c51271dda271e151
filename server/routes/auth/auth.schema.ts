import { z } from 'zod';
import { confirmPasswordSchema, loginSchema, safeNext } from '../schemas/auth.schema.js';

/** Where to go next: only a local path, else `fallback` (never another site after signing in). */
const nextPath = (fallback: string) =>
  z
    .unknown()
    .optional()
    .transform((next) => safeNext(next, fallback));

/** The sign-in page carries `next` through the form; empty means the person's own home page. */
export const loginPageQuery = z.object({ next: nextPath('') });
export const signInFormSchema = loginSchema.extend({ next: nextPath('') });

export const confirmPasswordPageQuery = z.object({ next: nextPath('/profile') });
export const confirmPasswordFormSchema = confirmPasswordSchema.extend({ next: nextPath('/profile') });

/** The `next` a refused form carries on: the address's, else the form's (the sign-in form posts it as a field). */
export const nextOfRefused = (query: Record<string, unknown>, body: Record<string, unknown>, fallback: string) => safeNext(query.next ?? body.next, fallback);
