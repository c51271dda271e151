import { scopeOf, type Action } from '../../policies/permissions.js';
import type { ServiceContext } from '../context.js';
import { toObjectId } from '../ids.js';

/** The customers an actor may see or change, from the matrix: own, the store's, or the organisation's. */
export function customerScopeFilter(ctx: ServiceContext, action: Extract<Action, 'customer.read' | 'customer.write'> = 'customer.read'): Record<string, unknown> {
  const scope = scopeOf(ctx.actor, action);
  // Erased customers are kept only as anonymous counts: nobody sees them in lists or by id.
  const filter: Record<string, unknown> = { orgId: toObjectId(ctx.orgId), erasedAt: null };
  if (scope === 'store') filter.storeId = ctx.actor.storeId ? toObjectId(ctx.actor.storeId) : null;
  else if (scope === 'own') {
    // Reading also reaches customers a colleague shared; changing them stays with the owner.
    if (action === 'customer.read') filter.$or = [{ ownerId: toObjectId(ctx.actor.id) }, { sharedWith: toObjectId(ctx.actor.id) }];
    else filter.ownerId = toObjectId(ctx.actor.id);
  }
  else if (scope !== 'org') throw new Error(`customerScopeFilter called without ${action}`);
  return filter;
}
