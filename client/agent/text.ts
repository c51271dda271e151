// The console's words: the page hands over the locale's agentConsole.js block; its `{{name}}` placeholders are filled as the customer page's are.
import { fillPlaceholders } from '../shared/placeholders.js';

export type Strings = { [key: string]: string | Strings };
export type Translate = (path: string, params?: Record<string, string | number>) => string;

/** A missing key shows as its path, so a gap in a locale file is visible rather than blank. */
export function translator(strings: Strings): Translate {
  return (path, params = {}) => {
    const value = path.split('.').reduce<string | Strings | undefined>((node, key) => (node && typeof node === 'object' ? node[key] : undefined), strings);
    const text = typeof value === 'string' ? value : path;
    return fillPlaceholders(text, params, 'keep');
  };
}
