import { z } from 'zod';
import { DateTime } from 'luxon';
import { customerSources, genders } from '../../models/customer.js';
import { optionalId, optionalText, requiredText } from '../../domain/input-fields.js';
import { isValidCustomerPhone } from './phones.js';
import { fieldErrorsOf } from '../../errors.js';

/** The rules of a customer's data, shared by the form, the API and the CSV import (so they live with the service). */

/** A birthday with or without a year; 29 February is valid (without a year it is checked against a leap year). */
export const birthdayInput = z
  .object({
    year: z.preprocess((v) => (v === '' || v === undefined ? null : v), z.coerce.number().int().min(1900, 'out_of_range').max(2100, 'out_of_range').nullable()),
    month: z.coerce.number().int().min(1, 'invalid_date').max(12, 'invalid_date'),
    day: z.coerce.number().int().min(1, 'invalid_date').max(31, 'invalid_date'),
  })
  .superRefine((b, ctx) => {
    if (!DateTime.fromObject({ year: b.year ?? 2000, month: b.month, day: b.day }).isValid) {
      ctx.addIssue({ code: 'custom', path: ['day'], message: 'invalid_date' });
    }
  });

const relativeInput = z.object({
  relation: requiredText(20),
  name: requiredText(60),
  birthday: birthdayInput.nullable().optional(),
});

const customerFields = {
  name: requiredText(60),
  // Checked here too (the service normalises it), so every field error shows at once.
  phone: requiredText(30).refine(isValidCustomerPhone, 'phone'),
  gender: z.enum(genders).default('unknown'),
  birthday: birthdayInput.nullable().optional(),
  relatives: z.array(relativeInput).max(10, 'too_many').default([]),
  notes: optionalText(2000),
  source: z.enum(customerSources).default('in_store'),
  storeId: optionalId,
  ownerId: optionalId,
  tagIds: z.array(z.string().max(64)).max(100, 'too_many').default([]),
};

export const customerSchema = z.object(customerFields);
export type CustomerInput = z.infer<typeof customerSchema>;

/**
 * One imported row's fields judged by the same rules as the form's and the API's: the customer, or the messages per
 * field (the import reports them per line and writes nothing for that row).
 */
export function judgeCustomerFields(fields: Record<string, unknown>): { customer: CustomerInput } | { fieldErrors: Record<string, string[]> } {
  const parsed = customerSchema.safeParse(fields);
  return parsed.success ? { customer: parsed.data } : { fieldErrors: fieldErrorsOf(parsed.error) };
}
