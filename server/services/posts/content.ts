import { ValidationError, type FieldErrors } from '../../errors.js';
import { socialLimits } from '../../domain/settings.js';

/** What a post says: shared by moments, group posts and campaigns. */
export type ContentInput = { text: string; link?: string | null | undefined };

/** An http(s) address only: `javascript:`, `data:` and the like never become a link a customer can tap. */
export function isSafeLink(value: string): boolean {
  if (value.length > socialLimits.linkMax) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

/** The service's own check of a post's words (routes check the same with zod; jobs and campaigns come here directly). */
export function checkContent(input: ContentInput): { text: string; link: string | null } {
  const errors: FieldErrors = {};
  const text = (input.text ?? '').trim();
  if (!text) errors.text = ['required'];
  else if (text.length > socialLimits.postTextMax) errors.text = ['too_long'];
  const link = (input.link ?? '').trim();
  if (link && !isSafeLink(link)) errors.link = ['link'];
  if (Object.keys(errors).length) throw new ValidationError(errors);
  return { text, link: link || null };
}
