import { mongoose } from '../db/connect.js';
import type { Role } from '../models/staff.js';
import { ForbiddenError } from '../errors.js';
import { permissionMatrix, scopeOf, type Action, type Actor, type ResourceRef, type Scope } from './permissions.js';

type Filter = Record<string, unknown>;
type ObjectId = mongoose.Types.ObjectId;

/** A clause on a scope's own field that matches no record, so a caller's filter beside it cannot widen it. */
const nothing = { $in: [] };

/**
 * Where a kind of record keeps what a scope compares: the fields naming the actor as the record's own (any one is
 * enough: the owner, or a colleague it was shared with) and the field naming its store, or a clause of its own when
 * a record belongs to several stores.
 */
export type RecordFields = {
  own?: string | readonly string[];
  store?: string | ((storeId: ObjectId | null) => Filter);
};

/** The field names of each kind of record, so a service names the kind rather than spelling the filter. */
export const recordFields = {
  /** Customers, follow-up tasks, groups, chat sessions, campaign tasks: an owner and a store. */
  owned: { own: 'ownerId', store: 'storeId' },
  /** Customers read: the owner's, and those a colleague shared with the reader; changing them stays with the owner. */
  sharedCustomer: { own: ['ownerId', 'sharedWith'], store: 'storeId' },
  staff: { own: '_id', store: 'storeId' },
  store: { store: '_id' },
  post: { own: 'authorId', store: 'storeId' },
  /** A campaign reaches the stores it lists, or every store when it lists none. */
  campaign: { store: (storeId) => (storeId ? { $or: [{ storeIds: { $size: 0 } }, { storeIds: storeId }] } : { storeIds: nothing }) },
} as const satisfies Record<string, RecordFields>;

/**
 * The query filter for the records an actor may take an action on: the organisation's, her store's, or her own, from
 * the permission matrix. It always holds the organisation.
 *
 * Fails closed, two ways: an actor the matrix gives no scope for the action (or a scope this kind of record cannot
 * express) is refused with ForbiddenError, as `authorize` would; a scope the actor cannot fill (a store scope with no
 * store) becomes a clause that matches nothing, never the records with no store.
 */
export function scopeFilter(ctx: { orgId: string; actor: Actor }, action: Action, fields: RecordFields = recordFields.owned): Filter {
  const scope = scopeOf(ctx.actor, action);
  const filter: Filter = { orgId: new mongoose.Types.ObjectId(ctx.orgId) };
  if (scope === 'org') return filter;
  if (scope === 'store' && fields.store) {
    const storeId = ctx.actor.storeId ? new mongoose.Types.ObjectId(ctx.actor.storeId) : null;
    if (typeof fields.store === 'function') return { ...filter, ...fields.store(storeId) };
    return { ...filter, [fields.store]: storeId ?? nothing };
  }
  if (scope === 'own' && fields.own) {
    const me = new mongoose.Types.ObjectId(ctx.actor.id);
    const own = typeof fields.own === 'string' ? [fields.own] : fields.own;
    if (own.length === 1) return { ...filter, [own[0]!]: me };
    return { ...filter, $or: own.map((field) => ({ [field]: me })) };
  }
  throw new ForbiddenError(`Not allowed: ${action}`);
}

/**
 * A customer as the read scope sees it (for `can` and the view flags): shared with the reader, it counts as her own,
 * as `recordFields.sharedCustomer` does in queries. Only for reading: changing a customer stays with the owner.
 */
export function customerReadRef(
  actor: Actor,
  customer: { storeId?: ObjectId | null; ownerId?: ObjectId | null; sharedWith?: readonly ObjectId[] },
): ResourceRef {
  const sharedWithReader = (customer.sharedWith ?? []).some((id) => String(id) === actor.id);
  return {
    storeId: customer.storeId ? String(customer.storeId) : null,
    ownerId: sharedWithReader ? actor.id : customer.ownerId ? String(customer.ownerId) : null,
  };
}

const breadth: Record<Scope, number> = { own: 1, store: 2, org: 3 };

/**
 * The roles the matrix lets take an action, for queries that look for people ("who may own a customer", "who serves
 * chats"); `atLeast` keeps the roles whose reach is that wide or wider (chats routed beyond one's own customers).
 */
export function rolesFor(action: Action, atLeast: Scope = 'own'): Role[] {
  const allowed = permissionMatrix[action] as Partial<Record<Role, Scope>>;
  return (Object.keys(allowed) as Role[]).filter((role) => breadth[allowed[role]!] >= breadth[atLeast]);
}
