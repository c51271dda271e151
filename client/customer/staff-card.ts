// The serving agent's staff card in the chat page's header: the markup is the server's partial (views/partials/
// staff-card.hbs), rendered empty; this fills its marked fields as text and links, never as markup.
import type { StaffCard } from '../../server/presenters/staff-card.js';

export function fillStaffCard(root: HTMLElement, card: StaffCard | null | undefined): void {
  root.hidden = !card;
  if (!card) return;
  const value = (field: string | undefined) => {
    const v = field ? card[field as keyof StaffCard] : null;
    return typeof v === 'string' ? v : '';
  };
  for (const node of root.querySelectorAll<HTMLElement>('[data-card-show]')) node.hidden = !value(node.dataset.cardShow);
  for (const node of root.querySelectorAll<HTMLElement>('[data-card]')) node.textContent = value(node.dataset.card);
  for (const node of root.querySelectorAll<HTMLAnchorElement>('a[data-card-href]'))
    node.href = `${node.dataset.cardScheme ?? ''}${value(node.dataset.cardHref)}`;
}
