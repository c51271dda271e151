import type { Request } from 'express';
import { i18n } from '../i18n/index.js';

/** A string from the locale files in the request's language. */
export function tr(req: Request, key: string, params: Record<string, unknown> = {}): string {
  return i18n.t(key, { lng: req.locale, ...params });
}
