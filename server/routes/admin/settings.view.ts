import type { OrganizationDoc } from '../../models/organization.js';
import { effectiveSettings, massMessagePolicies } from '../../domain/settings.js';
import { timezoneChoices } from '../../presenters/timezones.js';

/** The organisation's settings as the API sends them and the admin form shows them. */

type T = (key: string, params?: Record<string, unknown>) => string;

export const orgSettingsPayload = (org: OrganizationDoc) => ({ name: org.name, settings: effectiveSettings(org.settings) });

/** The time zone sent stays a choice even when it is not one of the list, so the form shows what is stored or was posted. */
const formModel = (t: T, locale: string, timezone: string) => ({
  title: t('settings.title'),
  massMessagePolicies,
  timezones: timezoneChoices(locale, [timezone]),
});

export function settingsModel(org: OrganizationDoc, t: T, locale: string) {
  const values = { name: org.name, ...effectiveSettings(org.settings) };
  return { ...formModel(t, locale, values.timezone), values };
}

export const settingsAgainModel = (t: T, locale: string, body: Record<string, unknown>) => formModel(t, locale, String(body.timezone ?? ''));
