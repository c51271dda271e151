import { z } from 'zod';
import { presentString, requiredText } from './common.js';

const password = presentString().min(1, 'required').max(128, 'too_long');

export const loginSchema = z.object({
  login: requiredText(64),
  password,
});

export const confirmPasswordSchema = z.object({ password });

/** Only a local path may be a redirect target after login or confirmation. */
export function safeNext(next: unknown, fallback: string): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) ? next : fallback;
}
