/**
 * Fills `{{name}}` placeholders, the one syntax of the locale files (i18next's), in the browser's strings. A name
 * without a value is left out, or kept as written where a gap should stay visible (the console's strings).
 */
export function fillPlaceholders(template: string, values: Record<string, string | number>, missing: 'empty' | 'keep' = 'empty'): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => (name in values ? String(values[name]) : missing === 'keep' ? whole : ''));
}
