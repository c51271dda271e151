/**
 * The placeholders staff may type in a message, each with its Chinese name: `{customer}` and `{客户称呼}` are one
 * placeholder, so a message typed on a Chinese keyboard (full-width braces too) works. The one list behind the
 * renderers and the chips that insert them (views/partials/placeholder-chips.hbs).
 */
export const messagePlaceholders = [
  { code: 'customer', zh: '客户称呼', sets: ['followup', 'canned'] },
  { code: 'clerk', zh: '导购姓名', sets: ['followup', 'canned'] },
  { code: 'store', zh: '门店', sets: ['followup', 'canned'] },
  { code: 'occasion', zh: '场合', sets: ['followup'] },
  { code: 'date', zh: '日期', sets: ['followup'] },
  { code: 'relation', zh: '亲属关系', sets: ['followup'] },
  { code: 'relative', zh: '亲属姓名', sets: ['followup'] },
] as const;

export type PlaceholderKey = (typeof messagePlaceholders)[number]['code'];
/** Where a message with placeholders is typed: follow-up suggestions, canned replies in the live console. */
export type PlaceholderSet = (typeof messagePlaceholders)[number]['sets'][number];

export function placeholdersOf(set: PlaceholderSet) {
  return messagePlaceholders.filter((p) => (p.sets as readonly string[]).includes(set));
}

const keyByName = new Map<string, PlaceholderKey>(messagePlaceholders.flatMap((p) => [[p.code, p.code] as const, [p.zh, p.code] as const]));
const PATTERN = new RegExp(`[{｛](${[...keyByName.keys()].join('|')})[}｝]`, 'g');

/** Fills the placeholders given a value, in either form; anything else in braces stays as typed. */
export function fillPlaceholders(template: string, values: Partial<Record<PlaceholderKey, string>>): string {
  return template.replace(PATTERN, (typed, name: string) => values[keyByName.get(name)!] ?? typed);
}
