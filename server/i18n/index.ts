import fs from 'node:fs';
import path from 'node:path';
import i18next, { type i18n as I18n } from 'i18next';
import { LanguageDetector } from 'i18next-http-middleware';
import { rootDir } from '../paths.js';

/** Simplified Chinese first, English second. */
export const supportedLocales = ['zh-CN', 'en'] as const;
export type Locale = (typeof supportedLocales)[number];

const localesDir = path.join(rootDir, 'server', 'i18n', 'locales');

function readLocale(locale: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(localesDir, `${locale}.json`), 'utf8')) as Record<string, unknown>;
}

export const i18n: I18n = i18next.createInstance();

/** Chinese first: `?lang=` (remembered in a cookie), then the cookie, then Accept-Language, then zh-CN. */
export async function initI18n(): Promise<I18n> {
  if (i18n.isInitialized) return i18n;
  await i18n.use(LanguageDetector).init({
    resources: Object.fromEntries(supportedLocales.map((locale) => [locale, { translation: readLocale(locale) }])),
    supportedLngs: [...supportedLocales],
    fallbackLng: { zh: ['zh-CN'], default: ['zh-CN'] },
    showSupportNotice: false,
    interpolation: { escapeValue: false },
    returnNull: false,
    detection: {
      order: ['querystring', 'cookie', 'header'],
      lookupQuerystring: 'lang',
      lookupCookie: 'lang',
      caches: ['cookie'],
      cookieSameSite: 'lax',
      cookieExpirationDate: new Date(Date.now() + 365 * 24 * 3600 * 1000),
    },
  });
  return i18n;
}

/** The supported locale closest to what the detector found ("zh-Hans-CN" -> zh-CN, "en-US" -> en). */
export function resolveLocale(detected: string | undefined): Locale {
  const lower = (detected ?? '').toLowerCase();
  if (lower.startsWith('en')) return 'en';
  return 'zh-CN';
}
