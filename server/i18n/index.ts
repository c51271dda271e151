import fs from 'node:fs';
import path from 'node:path';
import i18next, { type i18n as I18n } from 'i18next';
import { LanguageDetector } from 'i18next-http-middleware';
import { rootDir } from '../paths.js';

/** Simplified Chinese first, English second. */
export const supportedLocales = ['zh-CN', 'en'] as const;
export type Locale = (typeof supportedLocales)[number];

const localesDir = path.join(rootDir, 'server', 'i18n', 'locales');

/**
 * A locale is the core file (`<locale>.json`) plus one file per capability (`areas/<area>.<locale>.json`), so
 * features keep their strings beside each other; a top-level key defined twice is an error, never a silent override.
 */
export function readLocale(locale: string): Record<string, unknown> {
  const read = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  const merged = read(path.join(localesDir, `${locale}.json`));
  const areasDir = path.join(localesDir, 'areas');
  const areaFiles = fs.existsSync(areasDir)
    ? fs
        .readdirSync(areasDir)
        .filter((name) => name.endsWith(`.${locale}.json`))
        .sort()
    : [];
  for (const name of areaFiles) {
    for (const [key, value] of Object.entries(read(path.join(areasDir, name)))) {
      if (key in merged) throw new Error(`locale ${locale}: top-level key "${key}" of areas/${name} is already defined`);
      merged[key] = value;
    }
  }
  return merged;
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
