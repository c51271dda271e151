import { endpoint } from '../../http/endpoint.js';
import { cardSettingsSchema, reminderSettingsSchema } from './profile.schema.js';
import { getOwnProfile, updateOwnCardSettings, updateOwnReminderSettings } from '../../services/org/staff.js';

/** The signed-in person's own profile: anyone signed in, on herself only. */

export const ownProfile = endpoint({ access: 'signedIn', run: (ctx) => getOwnProfile(ctx) });

export const saveReminderSettings = endpoint({
  access: 'signedIn',
  input: { body: reminderSettingsSchema },
  run: (ctx, { body }) => updateOwnReminderSettings(ctx, body),
});

export const saveCardSettings = endpoint({
  access: 'signedIn',
  input: { body: cardSettingsSchema },
  run: (ctx, { body }) => updateOwnCardSettings(ctx, body),
});
