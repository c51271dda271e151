import { z } from 'zod';
import type { ChatChannelDoc } from '../../models/chat-channel.js';
import { dispositions, presenceStates, routingModes } from '../../domain/vocabulary.js';
import { arrayOf, checkbox, optionalId, optionalText, requiredText, timeOfDay } from '../../domain/input-fields.js';
import { chatLimits } from '../../domain/settings.js';
import { isRealDate } from '../../domain/calendar.js';
import { rangeInBounds } from '../../services/chat/report-ranges.js';
import { presentChannel } from '../../presenters/chat-channel.js';

/** The chat's input shapes: the public chat page, channels and canned replies, the reports, and both sides' socket payloads. */

// --- Addresses ----------------------------------------------------------------------------------------------------

/** An id in the address; the service answers 404 for one that is not a record in reach. */
export const idParams = z.object({ id: z.string() });
/** A channel's public key in the address (`/c/:key`, `/chat/channels/:key/visitors`). */
export const keyParams = z.object({ key: z.string() });
export const keyAndIdParams = z.object({ key: z.string(), id: z.string() });

/** What the chat page's browser holds: the visitor's token (this channel's page) and the device's (every channel's). */
export const CHAT_COOKIE = 'sl_chat';
export const DEVICE_COOKIE = 'sl_chat_device';
export const chatCookies = z.object({ [CHAT_COOKIE]: z.string().optional(), [DEVICE_COOKIE]: z.string().optional() });

// --- Starting a chat ------------------------------------------------------------------------------------------------

export const startChatSchema = z.object({ name: requiredText(60), phone: optionalText(30) });
/** The public API's start: an app keeps the device token it was given and sends it with its next start. */
export const startChatApiSchema = startChatSchema.extend({ deviceToken: z.string().max(200).optional() });

// --- Channels and canned replies ----------------------------------------------------------------------------------

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
  z
    .array(
      z.object({
        keyword: z.string().trim().min(1, 'keyword_format').max(30, 'too_long'),
        answer: z.string().trim().min(1, 'keyword_format').max(500, 'too_long'),
      }),
    )
    .max(50, 'too_many'),
);

export const channelSchema = z
  .object({
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
  })
  .refine((v) => !v.businessDays.length || v.businessStart < v.businessEnd, { path: ['businessEnd'], message: 'time_order' });

/** The API's new channel: what was left out takes the defaults a new channel's form starts with. */
export const newChannelApiSchema = z.preprocess(
  (body) => ({ routing: 'least_busy', routeByStore: true, active: true, businessStart: '09:00', businessEnd: '21:00', ...(body as object) }),
  channelSchema,
);

/** The API's PATCH: the fields sent over the channel as stored, checked as a whole channel. */
export const channelPatchSchema = z.record(z.string(), z.unknown());
export function patchedChannel(current: ChatChannelDoc, patch: Record<string, unknown>) {
  return channelSchema.parse({ ...presentChannel(current), ...patch });
}

export const cannedReplySchema = z.object({
  shortcut: z
    .string()
    .trim()
    .min(1, 'required')
    .max(20, 'too_long')
    .regex(/^[^\s/]+$/, 'shortcut_format'),
  text: requiredText(1000),
  shared: checkbox,
});

// --- Reports ------------------------------------------------------------------------------------------------------

const emptyAsUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);
/** A calendar day that exists (2026-02-30 does not). */
const day = z.preprocess(emptyAsUndefined, z.string('invalid_date').refine(isRealDate, 'invalid_date').optional());

/** `?from=YYYY-MM-DD&to=YYYY-MM-DD`, both optional (the last 7 days are filled in); from after to is `invalid_range`. */
export const chatReportQuery = z.object({ from: day, to: day }).superRefine((q, ctx) => {
  if (q.from && q.to && !rangeInBounds(q.from, q.to)) ctx.addIssue({ code: 'custom', path: ['to'], message: 'invalid_range' });
});

/**
 * The report page never answers its filter with an error page: a bad one shows the live figures with a message and
 * what was typed (at most 20 characters each).
 */
export const chatReportPageQuery = z.unknown().transform((raw) => {
  const parsed = chatReportQuery.safeParse(raw);
  const typed = (name: string) => {
    const value = (raw as Record<string, unknown> | undefined)?.[name];
    return typeof value === 'string' ? value.slice(0, 20) : '';
  };
  return {
    asked: parsed.success ? parsed.data : null,
    invalidRange: !parsed.success && parsed.error.issues.some((i) => i.message === 'invalid_range'),
    typed: { from: typed('from'), to: typed('to') },
  };
});
export type ChatReportPageQuery = z.output<typeof chatReportPageQuery>;

// --- Socket payloads ----------------------------------------------------------------------------------------------

const objectId = z.string().regex(/^[0-9a-f]{24}$/, 'invalid');
const sessionId = objectId;
const clientId = z.string().min(1).max(64);
const seq = z.number().int().min(0);
const recordId = z.string().regex(/^[0-9a-f]{24}$/);
const tagIds = z.array(z.string().max(64)).max(50).default([]);

export const nothing = z.object({});
export const sessionRef = z.object({ sessionId });

// The agent console's events (docs/realtime.md, "Agent side").
export const agentSyncPayload = z.object({ sessionId, afterSeq: seq });
export const agentMessagePayload = z
  .object({
    sessionId,
    clientId,
    text: z.string().trim().max(chatLimits.messageMax, 'too_long').default(''),
    internal: z.boolean().default(false),
    imageId: objectId.optional(),
  })
  .refine((m) => m.text.length > 0 || m.imageId, { path: ['text'], message: 'required' });
export const transferPayload = z.object({
  sessionId,
  toAgentId: recordId.nullable(),
  toStoreId: recordId.nullable().optional(),
  note: z.string().trim().max(chatLimits.noteMax).default(''),
});
export const closePayload = z.object({ sessionId, disposition: z.enum(dispositions).default('resolved') });
export const readPayload = z.object({ sessionId, seq });
export const presencePayload = z.object({ status: z.enum(presenceStates) });
export const customerTagsPayload = z.object({ sessionId, add: tagIds, remove: tagIds });
export const skillsPayload = z.object({ tagIds: z.array(z.string().max(64)).max(100) });
export const linkCustomerPayload = z.object({ sessionId, customerId: recordId.nullable() });
export const agentTypingPayload = z.object({ sessionId, typing: z.boolean() });

// The customer's events (docs/realtime.md, "Customer side").
export const customerMessagePayload = z
  .object({ clientId, text: z.string().trim().max(chatLimits.messageMax, 'too_long').default(''), imageId: sessionId.optional() })
  .refine((m) => m.text.length > 0 || m.imageId, { path: ['text'], message: 'required' });
export const customerSyncPayload = z.object({ sessionId: sessionId.optional(), afterSeq: seq });
export const historyPayload = z.object({ beforeSessionId: sessionId.optional(), limit: z.number().int().min(1).max(20).default(5) });
export const customerReadPayload = z.object({ sessionId, seq });
export const ratePayload = z.object({
  sessionId,
  score: z.number().int().min(1, 'out_of_range').max(5, 'out_of_range'),
  comment: z.string().trim().max(chatLimits.ratingCommentMax, 'too_long').default(''),
});
export const customerTypingPayload = z.object({ typing: z.boolean() });
