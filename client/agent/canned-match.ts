// Canned replies without the DOM: which match what follows "/", and their placeholders filled for a conversation.
export type CannedReply = { shortcut: string; text: string };
/** A placeholder's code and its Chinese name (the server's list), either of which a reply may use. */
export type Placeholder = { code: string; zh: string };

/** The text typed after a "/" that opens the composer (up to the caret), or null when the menu should be closed. */
export function cannedQuery(value: string, caret: number | null): string | null {
  const match = /^\/(\S*)$/.exec(value.slice(0, caret ?? value.length));
  return match ? match[1]!.toLowerCase() : null;
}

/** Shortcuts starting with the query first, then those containing it in the shortcut or the text; eight at most. */
export function matchCanned(all: CannedReply[], query: string): CannedReply[] {
  const starts = all.filter((c) => c.shortcut.toLowerCase().startsWith(query));
  const contains = all.filter((c) => !starts.includes(c) && (c.shortcut.toLowerCase().includes(query) || c.text.toLowerCase().includes(query)));
  return [...starts, ...contains].slice(0, 8);
}

export type PlaceholderValues = { customer: string; clerk: string; store: string };

/**
 * Placeholders of canned replies, English or Chinese, in either width of brace, become this conversation's values;
 * one without a value stays as typed, for the agent to see and edit.
 */
export function placeholderFiller(placeholders: Placeholder[]): (text: string, values: PlaceholderValues) => string {
  const codes = new Map(placeholders.flatMap((p) => [[p.code, p.code] as const, [p.zh, p.code] as const]));
  // The names are the server's own plain words; with none the pattern matches nothing.
  const pattern = new RegExp(`[{｛](${[...codes.keys()].join('|') || '(?!)'})[}｝]`, 'g');
  return (text, values) => text.replace(pattern, (typed, name: string) => values[codes.get(name) as keyof PlaceholderValues] || typed);
}
