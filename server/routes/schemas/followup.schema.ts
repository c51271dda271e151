import { z } from 'zod';
import { followupOutcomes, followupStatuses } from '../../models/followup-task.js';
import { followupDefaults } from '../../services/settings/org-settings.js';
import { arrayOf, checkbox, optionalText, requiredText } from './common.js';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'invalid_date');
const emptyAsUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);

export const followupListQuery = z.object({
  from: z.preprocess(emptyAsUndefined, isoDate.optional()),
  to: z.preprocess(emptyAsUndefined, isoDate.optional()),
  owner: z.preprocess(emptyAsUndefined, z.string().max(64).optional()),
  status: z.preprocess(emptyAsUndefined, z.enum(followupStatuses).optional()),
  page: z.coerce.number().int().min(1).default(1),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const followupChangeSchema = z.object({
  status: z.enum(followupStatuses),
  outcome: z.preprocess(emptyAsUndefined, z.enum(followupOutcomes).optional()),
  snoozeUntil: z.preprocess(emptyAsUndefined, isoDate.optional()),
});

/** Page forms post one action each; the status comes from the URL. */
export const followupDoneForm = z.object({ outcome: z.preprocess(emptyAsUndefined, z.enum(followupOutcomes, 'required')) });
export const followupSnoozeForm = z.object({ snoozeUntil: z.preprocess(emptyAsUndefined, isoDate.optional().refine((v) => v !== undefined, 'required')) });

export const inboxQuery = z.object({ owner: z.preprocess(emptyAsUndefined, z.string().max(64).optional()) });

export const holidaysQuery = z.object({ year: z.coerce.number({ error: 'year_range' }).int('year_range').min(1901, 'year_range').max(2099, 'year_range') });

export const reportQuery = z.object({ from: z.preprocess(emptyAsUndefined, isoDate.optional()), to: z.preprocess(emptyAsUndefined, isoDate.optional()) });

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
