import { z } from 'zod';
import { followupOutcomes, followupStatuses } from '../../domain/vocabulary.js';
import { followupDefaults } from '../../domain/settings.js';
import type { EffectiveRule } from '../../services/followups/rules.js';
import { arrayOf, checkbox, optionalText, requiredText } from '../schemas/common.js';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'invalid_date');
const emptyAsUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);
const ownerFilter = z.preprocess(emptyAsUndefined, z.string().max(64).optional());

export const idParams = z.object({ id: z.string() });
export const occasionParams = z.object({ occasion: z.string() });

// --- Tasks ---------------------------------------------------------------------------------------------------------

export const followupListQuery = z.object({
  from: z.preprocess(emptyAsUndefined, isoDate.optional()),
  to: z.preprocess(emptyAsUndefined, isoDate.optional()),
  owner: ownerFilter,
  status: z.preprocess(emptyAsUndefined, z.enum(followupStatuses).optional()),
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const followupChangeSchema = z.object({
  status: z.enum(followupStatuses),
  outcome: z.preprocess(emptyAsUndefined, z.enum(followupOutcomes).optional()),
  snoozeUntil: z.preprocess(emptyAsUndefined, isoDate.optional()),
});

/** Page forms post one action each; the status comes from the address. */
export const followupDoneForm = z
  .object({ outcome: z.preprocess(emptyAsUndefined, z.enum(followupOutcomes, 'required')) })
  .transform(({ outcome }) => ({ status: 'done' as const, outcome }));
export const followupSnoozeForm = z
  .object({
    snoozeUntil: z.preprocess(
      emptyAsUndefined,
      isoDate.optional().refine((v) => v !== undefined, 'required'),
    ),
  })
  .transform(({ snoozeUntil }) => ({ status: 'snoozed' as const, snoozeUntil: snoozeUntil as string }));

export const inboxQuery = z.object({ owner: ownerFilter });

/**
 * The inbox's owner filter carried by the forms on it: it shows the inbox again as it was when a form is refused, and
 * sends the person back to it (only a well-formed id goes into the address). Never refuses the form itself.
 */
export const inboxFormQuery = z
  .object({ owner: ownerFilter.catch(undefined) })
  .transform(({ owner }) => ({ owner, back: owner && /^[0-9a-f]{24}$/.test(owner) ? `/followups?owner=${owner}` : '/followups' }));

export const holidaysQuery = z.object({ year: z.coerce.number({ error: 'year_range' }).int('year_range').min(1901, 'year_range').max(2099, 'year_range') });

export const reportQuery = z.object({ from: z.preprocess(emptyAsUndefined, isoDate.optional()), to: z.preprocess(emptyAsUndefined, isoDate.optional()) });

/** The report page answers a bad range with the default range and a message, not an error page. */
export const reportPageQuery = z.unknown().transform((query) => {
  const parsed = reportQuery.safeParse(query);
  return parsed.success ? { range: parsed.data, invalid: false } : { range: {}, invalid: true };
});

// --- Rules and the organisation's own events -----------------------------------------------------------------------

export const ruleSchema = z.object({
  enabled: checkbox,
  leadDays: z.coerce.number({ error: 'out_of_range' }).int('out_of_range').min(0, 'out_of_range').max(followupDefaults.maxLeadDays, 'out_of_range'),
  tagIds: arrayOf(z.string().max(64)),
  storeIds: arrayOf(z.string().max(64)),
  message: optionalText(followupDefaults.messageMax),
});

const optionalYear = z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1900, 'out_of_range').max(2100, 'out_of_range').optional());

export const eventSchema = ruleSchema.extend({
  name: requiredText(followupDefaults.eventNameMax),
  month: z.coerce.number({ error: 'invalid_date' }).int().min(1, 'invalid_date').max(12, 'invalid_date'),
  day: z.coerce.number({ error: 'invalid_date' }).int().min(1, 'invalid_date').max(31, 'invalid_date'),
  year: optionalYear,
});

export function eventInputOf(input: z.infer<typeof eventSchema>) {
  const { name, month, day, year, ...rule } = input;
  return { event: { name, month, day, year: year ?? null }, rule };
}

export const eventForm = eventSchema.transform(eventInputOf);

/** An API client may leave out what a new event's rule usually is: switched on, a week ahead. */
export const eventCreateBody = z.preprocess((body) => ({ enabled: true, leadDays: 7, ...(body as object) }), eventForm);

/** A rule change is checked once the stored rule's kind is known (an event carries its name and date); see ruleChangeFor. */
export const anyBody = z.unknown().transform((body) => (typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {}));

export type RuleChange = { kind: 'event'; input: ReturnType<typeof eventInputOf> } | { kind: 'rule'; input: z.infer<typeof ruleSchema> };

/** The posted fields as the change of a rule of this kind: an event's with its name and date, any other's without. */
export function ruleChangeFor(kind: EffectiveRule['kind'], fields: Record<string, unknown>): RuleChange {
  return kind === 'event' ? { kind: 'event', input: eventForm.parse(fields) } : { kind: 'rule', input: ruleSchema.parse(fields) };
}

/** The stored rule's fields, beneath an API client's partial change (a PATCH sends only what changes). */
export function storedRuleFields(rule: EffectiveRule): Record<string, unknown> {
  return {
    enabled: rule.enabled,
    leadDays: rule.leadDays,
    tagIds: rule.tagIds.map(String),
    storeIds: rule.storeIds.map(String),
    message: rule.message,
    ...(rule.event ? { name: rule.event.name, month: rule.event.month, day: rule.event.day, year: rule.event.year ?? undefined } : {}),
  };
}
