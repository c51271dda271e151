import type { Role } from '../models/staff.js';
import { ForbiddenError } from '../errors.js';
import { can, type Actor } from './permissions.js';

type Id = { toString(): string } | string | null | undefined;

/** What the rules read of a chat session: who serves it, whose customer it is, which store it belongs to. */
export type SessionRef = { agentId?: Id; ownerId?: Id; storeId?: Id };

/** A colleague a session may be handed to, as the staff record gives them. */
export type Colleague = { _id: Id; roles: readonly Role[]; storeId?: Id };

const idOf = (id: Id): string | null => (id == null ? null : String(id));
const resourceOf = (session: SessionRef) => ({ ownerId: idOf(session.ownerId), storeId: idOf(session.storeId) });

/**
 * The record rules of a conversation: what a person may do to one session, beyond reaching it. Each one answers from
 * the matrix and the session, so no service compares role names; nobody acts as the system on someone's behalf.
 */
export const sessionRules = {
  /** Within the actor's chat reach: every session for agents and admins, the store's for managers, a clerk's own customers'. */
  serve: (actor: Actor, session: SessionRef): boolean => can(actor, 'chat.serve', resourceOf(session)),
  /** Only the assigned agent speaks in a session. */
  speak: (actor: Actor, session: SessionRef): boolean => idOf(session.agentId) === actor.id,
  /** Managers over the session's store, and admins, supervise a conversation someone else serves. */
  supervise: (actor: Actor, session: SessionRef): boolean => can(actor, 'chat.supervise', resourceOf(session)),
  /** The serving agent hands a session on; a supervisor moves it, to themselves too (taking it over). */
  transfer: (actor: Actor, session: SessionRef): boolean => sessionRules.speak(actor, session) || sessionRules.supervise(actor, session),
  /** A session nobody serves yet is closed by whoever reaches it; a served one by its agent or a supervisor. */
  close: (actor: Actor, session: SessionRef): boolean => !session.agentId || sessionRules.transfer(actor, session),
  /**
   * Whoever reaches a session acts on its customer as themself (links or creates the customer, tags them), although
   * the customer matrix gives agents no customers of their own: the conversation is the reach.
   */
  actOnCustomer: (actor: Actor, session: SessionRef): boolean => sessionRules.serve(actor, session),
} as const;

/** A colleague may receive a session their own chat reach covers: a clerk their own customer's, a manager their store's. */
export function mayReceiveSession(colleague: Colleague, orgId: string, session: SessionRef): boolean {
  const actor: Actor = { id: String(colleague._id), orgId, roles: colleague.roles, storeId: idOf(colleague.storeId) };
  return sessionRules.serve(actor, session);
}

export type SessionRule = keyof typeof sessionRules;

/** Refuses what a rule does not allow, with the console's "not yours" message. */
export function assertSessionRule(rule: SessionRule, actor: Actor, session: SessionRef): void {
  if (!sessionRules[rule](actor, session)) throw new ForbiddenError('This session is not yours', { messageKey: 'chat.errors.notYours' });
}
