import { transferOverview, type TransferInput, type TransferResult, type TransferTarget } from '../../services/customers/transfer.js';
import type { ServiceContext } from '../../services/context.js';

/** A choice in the transfer form: the name with store and roles, so two colleagues of the same name are told apart. */
export function transferChoices(targets: TransferTarget[]) {
  return targets.map((target) => ({
    id: target.id,
    name: target.realName,
    storeName: target.storeName,
    roleKeys: target.roles.map((role) => `roles.${role}`),
  }));
}

export function targetPayload(target: TransferTarget) {
  return { id: target.id, realName: target.realName, roles: target.roles, store: target.storeId ? { id: target.storeId, name: target.storeName } : null };
}

export function transfersModel(
  overview: { waiting: { staffId: string; realName: string; customers: number }[]; targets: TransferTarget[] },
  t: (key: string) => string,
) {
  return { title: t('transfer.title'), waiting: overview.waiting, targets: transferChoices(overview.targets) };
}

/** The transfers page again after a refused target, with the choices as they are now. */
export async function transfersAgainModel(ctx: ServiceContext, t: (key: string) => string) {
  return transfersModel(await transferOverview(ctx), t);
}

type Flash = { key: string; params?: Record<string, unknown>; kind?: 'success' | 'danger' | 'info' };

/** What happened, naming who received the customers; each refusal with the day the customer may move again. */
export function transferFlashes(result: TransferResult): Flash[] {
  const { to } = result;
  const flashes: Flash[] = result.moved
    ? [{ key: to.storeName ? 'transfer.movedTo' : 'transfer.movedToNoStore', params: { count: result.moved, name: to.realName, store: to.storeName } }]
    : [{ key: 'transfer.moved', params: { count: 0 }, kind: 'info' }];
  for (const refused of result.refused) flashes.push({ key: 'transfer.refused', params: { name: refused.name, date: refused.movableFrom }, kind: 'danger' });
  if (result.groupsMoved) flashes.push({ key: 'transfer.groupsMoved', params: { count: result.groupsMoved } });
  return flashes;
}

/**
 * Where the manager lands: a page that exists for her. A customer who moved leaves the detail page's context (and
 * may leave her view), so the list; a customer who stayed goes back to its page; a departed colleague's book, the
 * transfers page.
 */
export function transferLanding(result: TransferResult, input: Pick<TransferInput, 'customerIds'>): string {
  if (input.customerIds.length === 1 && !result.moved) return `/customers/${encodeURIComponent(input.customerIds[0]!)}`;
  return input.customerIds.length ? '/customers' : '/customers/transfers';
}

/** A form without a target goes back where it came from, with a message. */
export function transferFormBack(body: Record<string, unknown>): string {
  const ids = ([] as unknown[]).concat(body.customerIds ?? []);
  return ids.length === 1 ? `/customers/${encodeURIComponent(String(ids[0]))}` : '/customers/transfers';
}
