import path from 'node:path';
import type { Express } from 'express';
import { engine } from 'express-handlebars';
import Handlebars from 'handlebars';
import type { HelperOptions } from 'handlebars';
import { DateTime } from 'luxon';
import { viewsDir } from './paths.js';
import { i18n } from './i18n/index.js';
import { placeholdersOf, type PlaceholderSet } from './domain/message-placeholders.js';

type Root = { locale?: string; timezone?: string };

function rootOf(options: HelperOptions): Root {
  return (options.data?.root ?? {}) as Root;
}

/** View helpers: translation, dates in the organisation's timezone, and small comparisons. Output is escaped by Handlebars. */
export const helpers = {
  t(key: string, options: HelperOptions): string {
    return i18n.t(key, { lng: rootOf(options).locale ?? 'zh-CN', ...(options.hash as Record<string, unknown>) });
  },
  formatDateTime(value: Date | string | null | undefined, options: HelperOptions): string {
    if (!value) return '';
    const root = rootOf(options);
    const dt = DateTime.fromJSDate(new Date(value), { zone: root.timezone ?? 'Asia/Shanghai' }).setLocale(root.locale === 'en' ? 'en' : 'zh-CN');
    return dt.toLocaleString(DateTime.DATETIME_MED);
  },
  eq: (a: unknown, b: unknown) => a === b,
  plusOne: (n: unknown) => Number(n) + 1,
  concat: (...args: unknown[]) => args.slice(0, -1).map(String).join(''),
  // A checkbox group posted with one box ticked comes back as one string, not a list: it is a list of one.
  includes: (list: unknown, value: unknown) =>
    (Array.isArray(list) ? list : list === undefined || list === null || list === '' ? [] : [list]).map(String).includes(String(value)),
  or: (...args: unknown[]) => args.slice(0, -1).some(Boolean),
  and: (...args: unknown[]) => args.slice(0, -1).every(Boolean),
  array: (...args: unknown[]) => args.slice(0, -1),
  not: (value: unknown) => !value,
  /**
   * Data for a page script, in a `<script type="application/json">` block: JSON with `<`, `>` and `&` written as
   * \u escapes, so no value can close the block or be read as markup.
   */
  json: (value: unknown) =>
    new Handlebars.SafeString(JSON.stringify(value ?? null).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)),
  fieldError(errors: Record<string, string> | undefined, field: string) {
    return errors?.[field];
  },
  /** Messages for a group of fields: `birthday` gathers birthday, birthday.day, birthday.year. */
  birthdayErrors(errors: Record<string, string> | undefined, prefix: string) {
    return Object.entries(errors ?? {})
      .filter(([key]) => key === prefix || key.startsWith(`${prefix}.`))
      .map(([, message]) => message);
  },
  /** The chips of a message field: the reader's name for each placeholder and the form it inserts (Chinese in Chinese). */
  messagePlaceholders(set: PlaceholderSet, options: HelperOptions): { token: string; label: string }[] {
    const locale = rootOf(options).locale ?? 'zh-CN';
    return placeholdersOf(set).map((p) => ({ token: `{${locale === 'en' ? p.code : p.zh}}`, label: i18n.t(`placeholders.names.${p.code}`, { lng: locale }) }));
  },
  relationSuggestions(options: HelperOptions): string[] {
    return i18n.t('customers.relationSuggestions', { lng: rootOf(options).locale ?? 'zh-CN' }).split(',');
  },
};

export function configureViews(app: Express): void {
  app.engine(
    'hbs',
    engine({
      extname: '.hbs',
      defaultLayout: 'main',
      layoutsDir: path.join(viewsDir, 'layouts'),
      partialsDir: path.join(viewsDir, 'partials'),
      helpers,
    }),
  );
  app.set('view engine', 'hbs');
  app.set('views', viewsDir);
}
