import { endpoint } from '../../http/endpoint.js';
import { patchedSettings, settingsPatchBody, updateSettingsSchema } from './settings.schema.js';
import { getOrganization, patchOrgSettings, updateOrgSettings } from '../../services/org/settings.js';

/** The organisation settings use cases; changing limits is a sensitive action (step-up), reading them in the admin form too. */

const manage = { permission: 'org.settings.manage' } as const;

export const readSettings = endpoint({ access: { permission: 'org.settings.read' }, run: (ctx) => getOrganization(ctx) });

export const settingsForm = endpoint({ access: manage, stepUp: true, run: (ctx) => getOrganization(ctx) });

export const saveSettings = endpoint({
  access: manage,
  stepUp: true,
  input: { body: updateSettingsSchema },
  run: (ctx, { body }) => updateOrgSettings(ctx, body),
});

/** The settings left out keep their stored values: laid over the stored ones, then checked and saved as a whole. */
export const patchSettings = endpoint({
  access: manage,
  stepUp: true,
  input: { body: settingsPatchBody },
  run: (ctx, { body }) => patchOrgSettings(ctx, (stored) => patchedSettings(stored, body)),
});
