// The few DOM helpers both pages use. User text only ever goes through textContent, never markup.

export const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

/** The JSON a page hands its script in a <script type="application/json"> block (CSP allows no inline script). */
export function readJson<T>(id: string): T {
  return (JSON.parse(document.getElementById(id)?.textContent || 'null') ?? {}) as T;
}

// Each handler takes its own event type (MouseEvent, KeyboardEvent …), which a common parameter type would refuse.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Props = Record<string, unknown> & { text?: unknown; className?: string; on?: Record<string, (event: any) => void> };

/** Builds an element; `text` goes through textContent, attributes through setAttribute (never markup). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  children: (Node | string | null | undefined | false)[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') node.textContent = String(value);
    else if (key === 'className') node.className = String(value);
    else if (key === 'on') for (const [event, handler] of Object.entries(value as Record<string, EventListener>)) node.addEventListener(event, handler);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}
