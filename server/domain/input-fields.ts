/** Field builders for zod input schemas, shared by route schemas and by the services' own data rules (CSV import). */
import { z } from 'zod';

/** Form posts send strings; the API sends JSON. These accept both. */
export const trimmed = (max: number) => z.string().trim().max(max, 'too_long');
/** A string the form or body must carry: a field left out is `required` like an empty one, not a type error. */
export const presentString = () => z.string({ error: (issue) => (issue.input === undefined ? 'required' : undefined) });
export const requiredText = (max: number) => presentString().trim().max(max, 'too_long').min(1, 'required');
export const optionalText = (max: number) => z.preprocess((v) => (v === undefined || v === null ? '' : v), trimmed(max));

export const checkbox = z.preprocess((v) => v === true || v === 'on' || v === 'true' || v === '1', z.boolean());

/** An optional id: an empty select means none. */
export const optionalId = z.preprocess((v) => (v === '' || v === undefined ? null : v), z.string().max(64).nullable());

export const arrayOf = <T extends z.ZodType>(item: T) => z.preprocess((v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]), z.array(item));

export const optionalNumber = (min: number, max: number) =>
  z.preprocess(
    (v) => (v === '' || v === undefined || v === null ? undefined : v),
    z.coerce.number().min(min, 'out_of_range').max(max, 'out_of_range').optional(),
  );

export const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'time_of_day');

export const passwordField = z.string().min(8, 'password_too_short').max(128, 'too_long');
