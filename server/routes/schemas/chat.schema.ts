import { z } from 'zod';
import { routingModes } from '../../models/chat-channel.js';
import { arrayOf, checkbox, optionalId, optionalText, requiredText, timeOfDay } from './common.js';
export const startChatSchema = z.object({ name: requiredText(60), phone: optionalText(30) });
/** The public API's start: an app keeps the device token it was given and sends it with its next start. */
export const startChatApiSchema = startChatSchema.extend({ deviceToken: z.string().max(200).optional() });


/**
 * Keyword answers as one line each, "keyword = answer", in a form; a list of {keyword, answer} in the API.
 * A line without " = " is a field error, so nothing typed is silently dropped.
 */
const keywordAnswers = z.preprocess(
  (v) => {
    if (typeof v !== 'string') return v ?? [];
    return v
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean)
      .map((line) => {
        const at = line.indexOf('=');
        return at < 0 ? { keyword: line, answer: '' } : { keyword: line.slice(0, at).trim(), answer: line.slice(at + 1).trim() };
      });
  },
  z.array(z.object({ keyword: z.string().trim().min(1, 'keyword_format').max(30, 'too_long'), answer: z.string().trim().min(1, 'keyword_format').max(500, 'too_long') })).max(50, 'too_many'),
);

export const channelSchema = z.object({
  name: requiredText(60),
  storeId: optionalId,
  routing: z.enum(routingModes),
  routeByStore: checkbox,
  welcomeMessage: optionalText(500),
  closingMessage: optionalText(500),
  offlineMessage: optionalText(500),
  businessDays: arrayOf(z.coerce.number().int().min(0).max(6)),
  businessStart: timeOfDay,
  businessEnd: timeOfDay,
  keywordAnswers,
  active: checkbox,
}).refine((v) => !v.businessDays.length || v.businessStart < v.businessEnd, { path: ['businessEnd'], message: 'time_order' });

export const cannedReplySchema = z.object({
  shortcut: z.string().trim().min(1, 'required').max(20, 'too_long').regex(/^[^\s/]+$/, 'shortcut_format'),
  text: requiredText(1000),
  shared: checkbox,
});
