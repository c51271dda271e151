import { z } from 'zod';
import { roles } from '../../domain/vocabulary.js';
import { arrayOf, checkbox, optionalId, optionalText, passwordField, requiredText, timeOfDay } from '../../domain/input-fields.js';
import type { StaffView } from '../../presenters/staff.js';

const optionalTimeOfDay = z.preprocess((v) => (v === '' || v === null ? undefined : v), timeOfDay.optional());

const profileFields = {
  realName: requiredText(60),
  title: optionalText(60),
  phone: optionalText(30),
  showPhoneToCustomers: checkbox,
  storeId: optionalId,
  roles: arrayOf(z.enum(roles)).pipe(z.array(z.enum(roles)).min(1, 'roles_required')),
  // Left empty, the window is the organisation's default (a new member) or stays as it was (an edit).
  dndStart: optionalTimeOfDay,
  dndEnd: optionalTimeOfDay,
};

export const staffProfileSchema = z.object(profileFields);

export const newStaffSchema = z.object({
  ...profileFields,
  login: z
    .string()
    .trim()
    .toLowerCase()
    .min(3, 'login_format')
    .max(64, 'login_format')
    .regex(/^[a-z0-9][a-z0-9._-]*$/, 'login_format'),
  password: passwordField,
});

export const resetPasswordSchema = z.object({ password: passwordField });

export const staffListQuery = z.object({ status: z.enum(['active', 'left']).optional() });

/** An id in the address; the service answers 404 for one that is not a record in reach. */
export const idParams = z.object({ id: z.string() });

/** The API's PATCH sends only the fields it changes: taken as is here, checked as a whole profile once laid over the stored one. */
export const staffPatchBody = z.unknown();

export function patchedStaffProfile(current: StaffView, patch: unknown): z.output<typeof staffProfileSchema> {
  return staffProfileSchema.parse({ ...current, ...(patch as object) });
}
