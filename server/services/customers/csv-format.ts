import type { Birthday, Relative } from '../../models/customer.js';

const pad = (n: number) => String(n).padStart(2, '0');

export function formatBirthday(b: Birthday | null | undefined): string {
  if (!b) return '';
  return b.year ? `${b.year}-${pad(b.month)}-${pad(b.day)}` : `--${pad(b.month)}-${pad(b.day)}`;
}

/**
 * ISO (`1990-05-06`, `--05-06` without the year), what Excel on Chinese Windows writes for a date cell (`1990/5/6`),
 * and the way people write it (`1990年5月6日`, `5月6日`, `5/6`, `05-06`).
 */
export function parseBirthday(text: string): { year: number | null; month: number; day: number } | null | 'invalid' {
  const value = text.trim();
  if (!value) return null;
  const match =
    /^(?:(\d{4})|-)-(\d{1,2})-(\d{1,2})$/.exec(value) ??
    /^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$/.exec(value) ??
    /^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$/.exec(value) ??
    /^()(\d{1,2})月(\d{1,2})[日号]?$/.exec(value) ??
    /^()(\d{1,2})[/-](\d{1,2})$/.exec(value);
  if (!match) return 'invalid';
  return { year: match[1] ? Number(match[1]) : null, month: Number(match[2]), day: Number(match[3]) };
}

export function formatRelatives(relatives: Relative[]): string {
  return relatives.map((r) => [r.relation, r.name, formatBirthday(r.birthday)].join('|')).join('; ');
}

export function parseRelatives(text: string): { relation: string; name: string; birthday: string }[] {
  return text
    .split(/[;；]/)
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [relation = '', name = '', birthday = ''] = part.split(/[|｜]/).map((s) => s.trim());
      return { relation, name, birthday };
    });
}

export function splitList(text: string): string[] {
  return text
    .split(/[;；]/)
    .map((s) => s.trim())
    .filter(Boolean);
}
