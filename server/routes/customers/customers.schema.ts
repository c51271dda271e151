import { z } from 'zod';
import { customerSources } from '../../domain/vocabulary.js';
import { optionalId, optionalText, requiredText } from '../../domain/input-fields.js';
import { customerSchema } from '../../services/customers/customer.schema.js';
import { searchedNumber } from '../../services/customers/customers.js';
import { isValidCustomerPhone } from '../../services/customers/phones.js';

/** The rules of a customer's data live with the service (the CSV import uses them too); the transport shapes live here. */
export { customerSchema, birthdayInput } from '../../services/customers/customer.schema.js';

/** An id in the address; the service answers 404 for one that is not a record in reach. */
export const idParams = z.object({ id: z.string() });

const idList = z.array(z.string().max(64)).max(100, 'too_many').default([]);

export const tagChangeSchema = z
  .object({ add: idList, remove: idList })
  .refine((v) => v.add.length + v.remove.length > 0, { message: 'required', path: ['add'] });

export const bulkTagSchema = z
  .object({ ids: z.array(z.string().max(64)).min(1, 'required').max(1000, 'too_many'), add: idList, remove: idList })
  .refine((v) => v.add.length + v.remove.length > 0, { message: 'required', path: ['add'] });

const commaList = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : Array.isArray(v) ? v : []),
  z.array(z.string().max(64)).max(50, 'too_many'),
);

export const customerListQuery = z.object({
  tags: commaList,
  match: z.enum(['all', 'any', 'none']).default('all'),
  // A part of a number that is neither its last 4 digits nor the whole of it matches nothing (see searchedNumber).
  q: optionalText(60).refine((q) => searchedNumber(q)?.kind !== 'partial', 'phone_search_whole'),
  owner: optionalId,
  store: optionalId,
  source: z.preprocess((v) => (v === '' ? undefined : v), z.enum(customerSources).optional()),
  birthdayMonth: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(1).max(12).optional()),
  sort: z.enum(['updated', 'name', 'created']).default('updated'),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  /** The API adds the count per tag for the filter on request (it reads every match). */
  counts: z.preprocess((v) => v === 'true' || v === '1' || v === true, z.boolean()).default(false),
});
export type CustomerListQuery = z.infer<typeof customerListQuery>;

/**
 * The list page never refuses its filter: a bad one shows the whole list with a hint, a part of a number its own hint
 * with what was typed kept in the box.
 */
export const customerListPageQuery = z.unknown().transform((raw) => {
  const parsed = customerListQuery.safeParse(raw);
  const numberSearchHint = !parsed.success && parsed.error.issues.some((issue) => issue.message === 'phone_search_whole');
  const typed = String((raw as Record<string, unknown> | undefined)?.q ?? '').slice(0, 60);
  return { filter: parsed.success ? parsed.data : customerListQuery.parse({}), numberSearchHint, invalidFilter: !parsed.success && !numberSearchHint, typed };
});

/** The API's PATCH: the fields sent, checked like a whole customer, with no defaults filled in for those left out. */
const fields = customerSchema.shape;
export const customerPatchSchema = customerSchema
  .extend({ gender: fields.gender.unwrap(), relatives: fields.relatives.unwrap(), source: fields.source.unwrap(), tagIds: fields.tagIds.unwrap() })
  .partial();

const asList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const blank = (v: unknown) => v === undefined || v === null || String(v).trim() === '';

/** A relative row the form posts with nothing chosen (a year alone is nothing): dropped, never refused or shown again. */
export const isEmptyRelativeRow = (row: { relation: unknown; name: unknown; month: unknown; day: unknown }) =>
  blank(row.relation) && blank(row.name) && blank(row.month) && blank(row.day);

/** The customer form posts flat fields (birthdayMonth, relativeName[] …); this builds the API's shape from them, dropping relative rows left empty. */
function fromFormFields(raw: unknown) {
  const body = (raw ?? {}) as Record<string, unknown>;
  const birthday = (y: unknown, m: unknown, d: unknown) => (blank(m) && blank(d) ? null : { year: blank(y) ? null : y, month: m, day: d });
  const relations = asList(body.relativeRelation);
  const names = asList(body.relativeName);
  const relatives = relations
    .map((relation, i) => ({
      relation,
      name: names[i],
      year: asList(body.relativeYear)[i],
      month: asList(body.relativeMonth)[i],
      day: asList(body.relativeDay)[i],
    }))
    .filter((row) => !isEmptyRelativeRow(row))
    .map((row) => ({ relation: row.relation, name: row.name, birthday: birthday(row.year, row.month, row.day) }));
  return {
    name: body.name,
    phone: body.phone,
    gender: blank(body.gender) ? undefined : body.gender,
    birthday: birthday(body.birthdayYear, body.birthdayMonth, body.birthdayDay),
    relatives,
    notes: body.notes,
    source: blank(body.source) ? undefined : body.source,
    storeId: body.storeId,
    ownerId: body.ownerId,
    tagIds: asList(body.tagIds).filter((v) => !blank(v)),
  };
}

export const customerFormSchema = z.preprocess(fromFormFields, customerSchema);

/** The edit form shows the number masked; sent back unchanged it keeps the stored one (the service compares it). */
const looksMasked = (phone: string) => phone.includes('*');
export const customerEditFormSchema = z.preprocess(
  fromFormFields,
  customerSchema.extend({ phone: requiredText(30).refine((p) => isValidCustomerPhone(p) || looksMasked(p), 'phone') }),
);

/** Where the list's forms send the person back to: the list page (with its filter) they came from. */
export function listPageBack(back: unknown): string {
  return typeof back === 'string' && back.startsWith('/customers') ? back : '/customers';
}

export const bulkTagFormSchema = z.preprocess(
  (raw) => {
    const body = (raw ?? {}) as Record<string, unknown>;
    const tags = asList(body.tagId).filter((v) => !blank(v));
    return { ids: asList(body.ids), add: body.mode === 'remove' ? [] : tags, remove: body.mode === 'remove' ? tags : [], back: listPageBack(body.back) };
  },
  z.intersection(bulkTagSchema, z.object({ back: z.string() })),
);

/** The detail page's tag checkboxes: the tags left ticked. */
export const tagChoiceFormSchema = z.object({ tagIds: z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.coerce.string())) });

export const transferSchema = z.object({
  customerIds: z.preprocess((v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]), z.array(z.string().max(64)).max(10_000, 'too_many')),
  fromStaffId: optionalId,
  toStaffId: requiredText(64),
  note: optionalText(500),
});

export const shareSchema = z.object({
  staffId: requiredText(64),
  shared: z.preprocess((v) => v === true || v === 'true' || v === '1' || v === 'on', z.boolean()),
});
