import { scopeOf } from '../../policies/permissions.js';
import type { ServiceContext } from '../context.js';
import { listStoreChoices } from '../org/stores.js';
import { listAssignableOwners } from '../org/staff.js';
import { listTagGroups } from '../tags/tags.js';

/** Choices for the customer form: stores and owners only where the actor may choose them. */
export async function customerFormChoices(ctx: ServiceContext) {
  const scope = scopeOf(ctx.actor, 'customer.write');
  const [tags, stores, owners] = await Promise.all([
    listTagGroups(ctx),
    scope === 'org' ? listStoreChoices(ctx) : Promise.resolve([]),
    scope === 'own' ? Promise.resolve([]) : listAssignableOwners(ctx),
  ]);
  return { tags, stores, owners };
}

/** Choices for the list's filter: owners and stores only where the actor sees more than her own and her store's. */
export async function customerFilterChoices(ctx: ServiceContext) {
  const scope = scopeOf(ctx.actor, 'customer.read');
  const [tags, owners, stores] = await Promise.all([
    listTagGroups(ctx),
    scope === 'own' ? Promise.resolve([]) : listAssignableOwners(ctx),
    scope === 'org' ? listStoreChoices(ctx) : Promise.resolve([]),
  ]);
  return { tags, owners, stores };
}
