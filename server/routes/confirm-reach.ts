import type { Request } from 'express';
import { flash } from '../http/flash.js';
import { tr } from '../http/translate.js';
import { reachSentence } from '../presenters/reach.js';
import type { Reach } from '../services/limits/contact-budget.js';

/** The confirmation of a post (moment, group post, campaign task): what was done, then what actually happened to its audience, never the preview. */
export function confirmReach(req: Request, doneKey: string, reach: Reach): void {
  flash(req, 'success', 'reach.confirmed', { done: tr(req, doneKey), outcome: reachSentence((key, params) => tr(req, key, params), reach, 'outcome') });
}
