import { z } from 'zod';
import { orgSettingsSchema, type OrgSettings } from '../../domain/settings.js';
import { requiredText } from '../../domain/input-fields.js';

/** The organisation's name beside its settings, flat as the form posts them; the service takes them apart. */
export const updateSettingsSchema = z
  .object({
    name: requiredText(100),
    ...orgSettingsSchema.shape,
  })
  .transform(({ name, ...settings }) => ({ name, settings }));

/** The API's PATCH sends only what it changes: taken as is here, checked as a whole once laid over the stored settings. */
export const settingsPatchBody = z.unknown();

export function patchedSettings(current: { name: string; settings: OrgSettings }, patch: unknown) {
  return updateSettingsSchema.parse({ name: current.name, ...current.settings, ...(patch as object) });
}
