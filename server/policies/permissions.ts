import type { Role } from '../models/staff.js';
import { ForbiddenError } from '../errors.js';

/**
 * The permission matrix: for each action, the roles that may take it and how far their reach goes.
 * `org`: anything in the organisation; `store`: records of the actor's own store; `own`: the actor's own records.
 * Everything not listed is refused (fail closed).
 */
export type Scope = 'org' | 'store' | 'own';

export const permissionMatrix = {
  'console.clerk': { clerk: 'own', manager: 'store' },
  'console.agent': { agent: 'own', manager: 'store' },
  'console.marketer': { marketer: 'org' },
  'console.manager': { manager: 'store' },
  'console.admin': { admin: 'org' },
  'store.read': { admin: 'org', marketer: 'org', manager: 'store' },
  'store.manage': { admin: 'org' },
  'staff.read': { admin: 'org', manager: 'store' },
  'staff.manage': { admin: 'org' },
  'org.settings.read': { admin: 'org' },
  'org.settings.manage': { admin: 'org' },
  'audit.read': { admin: 'org' },
  // An agent owns no customers: 'own' reaches exactly those shared with her (customer.share_receive), as a clerk's shares.
  'customer.read': { admin: 'org', marketer: 'org', manager: 'store', clerk: 'own', agent: 'own' },
  'customer.write': { admin: 'org', marketer: 'org', manager: 'store', clerk: 'own' },
  'customer.erase': { admin: 'org', manager: 'store' },
  'customer.transfer': { admin: 'org', manager: 'store' },
  // Who may be named a customer's owner: those who serve customers in a store (the list a customer is assigned or moved to).
  'customer.own': { clerk: 'own', manager: 'own' },
  // Who a customer may be shared with: everyone who serves customers, chat agents included.
  'customer.share_receive': { clerk: 'own', manager: 'own', agent: 'own' },
  'tag.manage': { admin: 'org', marketer: 'org' },
  'tag.personal': { admin: 'own', manager: 'own', clerk: 'own', agent: 'own', marketer: 'own' },
  'customer.personal_data': { admin: 'org', manager: 'store' },
  'followup.read': { admin: 'org', marketer: 'org', manager: 'store', clerk: 'own' },
  'followup.work': { admin: 'org', manager: 'store', clerk: 'own' },
  'followup.rules': { admin: 'org', marketer: 'org' },
  'followup.report': { admin: 'org', marketer: 'org', manager: 'store' },
  'job.read': { admin: 'org' },
  'job.manage': { admin: 'org' },
  // Clerks serve the conversations of their own customers ("every shop employee a service window"); they are never routed others.
  'chat.serve': { agent: 'org', manager: 'store', admin: 'org', clerk: 'own' },
  'chat.manage': { admin: 'org' },
  // Supervising a conversation someone else serves: closing it, or moving it (to themselves: taking it over).
  'chat.supervise': { admin: 'org', manager: 'store' },
  'chat.report': { admin: 'org', manager: 'store' },
  'group.read': { admin: 'org', marketer: 'org', manager: 'store', clerk: 'own' },
  'group.manage': { admin: 'org', manager: 'store', clerk: 'own' },
  // Moments are personal: each staff member posts as herself, to her own customers.
  'moment.publish': { clerk: 'own', manager: 'own' },
  'moment.read': { admin: 'org', marketer: 'org', manager: 'store', clerk: 'own' },
  // A reply speaks for the shop: the post's author, or a manager or admin over her; marketers only read.
  'moment.reply': { admin: 'org', manager: 'store', clerk: 'own' },
  'campaign.manage': { admin: 'org', marketer: 'org' },
  'campaign.read': { admin: 'org', marketer: 'org', manager: 'store' },
  'campaign.task': { clerk: 'own', manager: 'own' },
  'media.upload': { admin: 'own', marketer: 'own', manager: 'own', clerk: 'own' },
  'token.manage_own': { admin: 'own', manager: 'own', clerk: 'own', agent: 'own', marketer: 'own' },
} as const satisfies Record<string, Partial<Record<Role, Scope>>>;

export type Action = keyof typeof permissionMatrix;

export type Actor = {
  id: string;
  orgId: string;
  roles: readonly Role[];
  storeId: string | null;
  /** Jobs and seeds act as the organisation itself. */
  system?: boolean;
};

/** What a record offers for a scope check; any field may be missing. */
export type ResourceRef = { storeId?: string | null; ownerId?: string | null };

const breadth: Record<Scope, number> = { own: 1, store: 2, org: 3 };

/** The widest scope the actor's roles give for an action, or null. */
export function scopeOf(actor: Actor, action: Action): Scope | null {
  if (actor.system) return 'org';
  const allowed = permissionMatrix[action] as Partial<Record<Role, Scope>>;
  let best: Scope | null = null;
  for (const role of actor.roles) {
    const scope = allowed[role];
    if (scope && (!best || breadth[scope] > breadth[best])) best = scope;
  }
  return best;
}

export function can(actor: Actor, action: Action, resource?: ResourceRef): boolean {
  const scope = scopeOf(actor, action);
  if (!scope) return false;
  if (!resource || scope === 'org') return true;
  if (scope === 'store') return resource.storeId != null && resource.storeId === actor.storeId;
  return resource.ownerId != null ? resource.ownerId === actor.id : false;
}

export function authorize(actor: Actor, action: Action, resource?: ResourceRef): void {
  if (!can(actor, action, resource)) {
    throw new ForbiddenError(`Not allowed: ${action}`);
  }
}

/** Consoles in the order the navigation shows them. */
export const consoleActions = ['console.manager', 'console.clerk', 'console.agent', 'console.marketer', 'console.admin'] as const satisfies readonly Action[];
