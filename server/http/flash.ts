import { tr } from './translate.js';
import type { Request } from 'express';

/** A one-time message shown on the next page, in the language of the person who caused it. */
export function flash(req: Request, kind: 'success' | 'danger' | 'info', key: string, params: Record<string, unknown> = {}): void {
  if (!req.session) return;
  (req.session.flash ??= []).push({ kind, text: tr(req, key, params) });
}
