import type { Action } from '../../policies/permissions.js';
import { recordFields, scopeFilter } from '../../policies/scopes.js';
import type { ServiceContext } from '../context.js';

/** The customers an actor may see or change, from the matrix: own, the store's, or the organisation's. */
export function customerScopeFilter(
  ctx: ServiceContext,
  action: Extract<Action, 'customer.read' | 'customer.write'> = 'customer.read',
): Record<string, unknown> {
  // Reading also reaches customers a colleague shared; changing them stays with the owner.
  const filter = scopeFilter(ctx, action, action === 'customer.read' ? recordFields.sharedCustomer : recordFields.owned);
  // Erased customers are kept only as anonymous counts: nobody sees them in lists or by id.
  return { ...filter, erasedAt: null };
}
