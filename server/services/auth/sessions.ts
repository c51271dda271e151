import crypto from 'node:crypto';
import { Staff, type StaffDoc } from '../../models/staff.js';
import { mongoose } from '../../db/connect.js';
import type { Actor } from '../../policies/permissions.js';
import type { ServiceContext } from '../context.js';
import { actorOf } from './actor.js';
import { recordAudit } from '../audit/record-audit.js';
import { domainEvents } from '../events.js';

/** What a browser session keeps about its staff member. */
export type SessionUser = { id: string; orgId: string; v: number };

export function sessionUserOf(staff: StaffDoc): SessionUser {
  return { id: String(staff._id), orgId: String(staff.orgId), v: staff.authVersion };
}

/** A deactivated account or a reset password (a new authVersion) ends every session made before it. */
function stillSignedIn(staff: Pick<StaffDoc, 'status' | 'authVersion'> | null, user: SessionUser): boolean {
  return Boolean(staff && staff.status === 'active' && staff.authVersion === user.v);
}

/**
 * Loads the staff member behind a session on every request: a deactivated account or a reset password
 * (a new authVersion) ends the session at the next request, with no list of sessions to chase.
 */
export async function staffForSession(user: SessionUser): Promise<StaffDoc | null> {
  if (!mongoose.isValidObjectId(user.id) || !mongoose.isValidObjectId(user.orgId)) return null;
  const staff = await Staff.findOne({ _id: user.id, orgId: user.orgId });
  return stillSignedIn(staff, user) ? staff : null;
}

/**
 * The session's staff member as they are now, or null when the session no longer counts: what a long-lived
 * connection (a console socket) checks before each thing it does. One indexed read of four fields.
 */
export async function currentActor(user: SessionUser): Promise<Actor | null> {
  if (!mongoose.isValidObjectId(user.id) || !mongoose.isValidObjectId(user.orgId)) return null;
  const staff = await Staff.findOne({ _id: user.id, orgId: user.orgId }, { orgId: 1, roles: 1, storeId: 1, status: 1, authVersion: 1 }).lean<StaffDoc>();
  return staff && stillSignedIn(staff, user) ? actorOf(staff) : null;
}

/** Two actors reach the same things: the same roles and store (the order of roles does not matter). */
export function sameAccess(a: Actor, b: Actor): boolean {
  return a.storeId === b.storeId && [...a.roles].sort().join() === [...b.roles].sort().join();
}

/**
 * Names one browser session for its sockets without being its id: the id is the session's secret, and room names
 * travel through the Socket.IO adapter (Redis) and logs.
 */
export function signInKeyOf(sessionId: string): string {
  return crypto.createHash('sha256').update(sessionId).digest('hex').slice(0, 32);
}

/** After a session is destroyed: audited, and announced so that its open sockets end too. */
export async function recordSignOut(ctx: ServiceContext, sessionId: string): Promise<void> {
  await recordAudit(ctx, 'auth.logout', { type: 'staff', id: ctx.actor.id });
  domainEvents.emitEvent('staff.signed_out', { orgId: ctx.orgId, staffId: ctx.actor.id, signInKey: signInKeyOf(sessionId) });
}
