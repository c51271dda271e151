import { can, scopeOf, type Action, type Actor, type ResourceRef } from './permissions.js';

/**
 * One flag a view needs: an action, on a record when the answer depends on it; whether the actor's reach for an
 * action goes beyond her own records (her store's or the organisation's), for views that offer to pick a colleague;
 * or whether it is her store's alone, for views that follow one store (a manager's chat console).
 */
export type FlagCheck = Action | readonly [Action, ResourceRef?] | { readonly beyondOwn: Action } | { readonly storeOnly: Action };

/**
 * The policy presenter: the flags a view shows or hides things by (`canEdit`, `canErase` …), answered from the
 * permission matrix here, so routes and view models never call `can()` themselves.
 */
export function flagsFor<const K extends string>(actor: Actor, checks: Record<K, FlagCheck>): Record<K, boolean> {
  const flags = {} as Record<K, boolean>;
  for (const name of Object.keys(checks) as K[]) {
    const check = checks[name];
    if (typeof check === 'object' && 'beyondOwn' in check) {
      const scope = scopeOf(actor, check.beyondOwn);
      flags[name] = scope !== null && scope !== 'own';
      continue;
    }
    if (typeof check === 'object' && 'storeOnly' in check) {
      flags[name] = scopeOf(actor, check.storeOnly) === 'store';
      continue;
    }
    const [action, resource] = typeof check === 'string' ? [check, undefined] : check;
    flags[name] = can(actor, action, resource);
  }
  return flags;
}
