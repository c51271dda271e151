// The console's words: the page hands over the locale's agentConsole.js block; `{{name}}` placeholders (the one syntax of the locale files, i18next's) are filled here.

export type Strings = { [key: string]: string | Strings };
export type Translate = (path: string, params?: Record<string, string | number>) => string;

/** A missing key shows as its path, so a gap in a locale file is visible rather than blank. */
export function translator(strings: Strings): Translate {
  return (path, params = {}) => {
    const value = path.split('.').reduce<string | Strings | undefined>((node, key) => (node && typeof node === 'object' ? node[key] : undefined), strings);
    const text = typeof value === 'string' ? value : path;
    return text.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => (key in params ? String(params[key]) : whole));
  };
}
