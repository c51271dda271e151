// The customer beside the conversation: the visitor, the linked customer (tags, timeline), earlier conversations,
// and the agent's own skills.
import { $, h } from '../shared/dom.js';
import type { AgentSession, SidebarCustomer } from '../shared/protocol.js';
import { t } from './config.js';
import { dayFormat } from './format.js';
import { notice } from './alerts.js';
import { intents } from './intents.js';
import { request } from './socket.js';
import { current, open } from './store.js';

export function renderSidebar(): void {
  const session = current();
  const details = open.details;
  $('customer-empty').hidden = Boolean(session && details);
  $('customer-details').hidden = !(session && details);
  if (!session || !details) return;
  $('visitor-name').textContent = details.visitor?.name ?? '';
  $('visitor-phone').textContent = details.visitor?.phone || '—';
  const customerId = session.customerId ?? details.customer?.id ?? null;
  const link = $<HTMLAnchorElement>('customer-link');
  const profile = details.customer && details.customer.id === customerId ? details.customer : null;
  link.hidden = !customerId;
  renderProfile(session, profile);
  $('customer-unlinked').hidden = Boolean(customerId);
  if (customerId) {
    // Without the customer permission (agents) the name is shown but not linked.
    if (profile?.canOpen === false) link.removeAttribute('href');
    else link.href = `/customers/${encodeURIComponent(customerId)}`;
    link.textContent = profile?.name ? `${profile.name}${profile.phone ? ` · ${profile.phone}` : ''}` : t('openCustomer');
    link.title = t('openCustomer');
  }
  const canCreate = !customerId && session.state !== 'closed';
  $('create-customer').hidden = !canCreate || !details.visitor?.phone;
  $('create-customer-hint').hidden = !canCreate || Boolean(details.visitor?.phone);
  const earlier = details.earlier ?? [];
  $('earlier-empty').hidden = earlier.length > 0;
  $('earlier-list').replaceChildren(
    ...earlier.map((item) => {
      const outcome = item.closedAt ? (item.disposition ? t(`dispositions.${item.disposition}`) : t('states.closed')) : t('earlierOpen');
      const rating = item.rating ? ` · ${t('rating', { n: item.rating })}` : '';
      const text = `${t('earlierItem', { date: dayFormat.format(new Date(item.createdAt)), outcome })}${rating}`;
      return h('li', { className: 'mb-1' }, [
        h('button', {
          type: 'button',
          className: 'btn btn-link btn-sm p-0 text-start',
          'data-session-id': item.id,
          text,
          on: { click: () => intents.openSession(item.id) },
        }),
      ]);
    }),
  );
}

/** The linked customer's tags (removable), a picker for more, and the latest of their timeline. */
function renderProfile(session: AgentSession, profile: SidebarCustomer | null): void {
  $('customer-profile').hidden = !profile;
  if (!profile) return;
  const held = new Set((profile.tags ?? []).map((tag) => tag.id));
  $('customer-tags').replaceChildren(
    ...(profile.tags ?? []).map((tag) =>
      h('button', {
        type: 'button',
        className: 'btn btn-sm btn-outline-success me-1 mb-1',
        'data-tag-id': tag.id,
        title: t('removeTag'),
        text: `${tag.name} ×`,
        on: { click: () => void changeTags(session.id, [], [tag.id]) },
      }),
    ),
  );
  const choices = (profile.tagChoices ?? []).filter((tag) => !held.has(tag.id));
  $('tag-add').replaceChildren(
    h('option', { value: '', text: t('chooseTag') }),
    ...choices.map((tag) => h('option', { value: tag.id, text: tag.group ? `${tag.group} · ${tag.name}` : tag.name })),
  );
  $('customer-timeline').replaceChildren(
    ...(profile.timeline ?? []).map((entry) =>
      h('li', {
        className: 'mb-1',
        'data-testid': 'timeline-entry',
        text: `${dayFormat.format(new Date(entry.at))} · ${entry.label ?? entry.type}${entry.count > 1 ? ` ${t('timelineRepeat', { n: entry.count })}` : ''}`,
      }),
    ),
  );
}

async function changeTags(sessionId: string, add: string[], remove: string[]): Promise<void> {
  const ack = await request<Pick<SidebarCustomer, 'tags' | 'timeline'>>('chat:customer-tags', { sessionId, add, remove });
  if (!ack?.ok) return void notice(ack?.error?.localizedMessage ?? t('errors.generic'), 'danger');
  if (open.details?.customer) Object.assign(open.details.customer, { tags: ack.data.tags, timeline: ack.data.timeline });
  renderSidebar();
}

export function bindSidebar(): void {
  // The tags this agent is good with: saved at once, used by routing for the next sessions.
  document.getElementById('skills-form')?.addEventListener('change', async () => {
    const tagIds = [...document.querySelectorAll<HTMLInputElement>('#skills-form input[name="skill"]:checked')].map((input) => input.value);
    const ack = await request('chat:skills', { tagIds });
    notice(ack?.ok ? t('skillsSaved') : (ack?.error?.localizedMessage ?? t('errors.generic')), ack?.ok ? 'success' : 'danger');
  });
  $<HTMLSelectElement>('tag-add').addEventListener('change', (event) => {
    const tagId = (event.target as HTMLSelectElement).value;
    const session = current();
    if (tagId && session) void changeTags(session.id, [tagId], []);
  });
}
