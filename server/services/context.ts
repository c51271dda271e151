import type { Actor } from '../policies/permissions.js';

/** What every service call receives: who acts, for which organisation, from where. */
export type ServiceContext = {
  actor: Actor;
  orgId: string;
  ip?: string | undefined;
};

export function systemContext(orgId: string): ServiceContext {
  return { orgId, actor: { id: 'system', orgId, roles: [], storeId: null, system: true } };
}
