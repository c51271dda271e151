import { DateTime } from 'luxon';
import { Customer } from '../../models/customer.js';
import { Staff, type Role } from '../../models/staff.js';
import { Store } from '../../models/store.js';
import { ValidationError } from '../../errors.js';
import { authorize } from '../../policies/permissions.js';
import { recordFields, rolesFor, scopeFilter } from '../../policies/scopes.js';
import type { ServiceContext } from '../context.js';
import { toObjectId } from '../ids.js';
import { getOrgSettings } from '../org/settings.js';
import { recordAudit } from '../audit/record-audit.js';
import { domainEvents } from '../events.js';
import { appendTimeline } from './timeline.js';
import { mongoose } from '../../db/connect.js';

export type TransferInput = {
  /** Customers to move; when empty, every customer of `fromStaffId`. */
  customerIds: string[];
  fromStaffId: string | null;
  toStaffId: string;
  note: string;
};

export type TransferResult = {
  moved: number;
  /** Who received the customers, for the message that names them. */
  to: { id: string; realName: string; storeName: string | null };
  /** Customers the limit protects, with the day they may move again. */
  refused: { id: string; name: string; movableFrom: string }[];
  /** Customer groups that moved with a departed clerk's customers. */
  groupsMoved?: number;
};

/** Customers within the actor's transfer reach: the organisation's, or a manager's store. */
function transferScope(ctx: ServiceContext): Record<string, unknown> {
  return { ...scopeFilter(ctx, 'customer.transfer'), erasedAt: null };
}

/**
 * Who may receive customers from this actor: active clerks and managers the actor can still see the customers with
 * (DOMAIN: Visibility), so a transfer never sends a customer out of the reach of the person who moved it. A manager
 * gives to her own store; admins to anyone in the organisation. The one rule behind the choices and the check.
 */
function transferTargetFilter(ctx: ServiceContext): Record<string, unknown> {
  return { ...scopeFilter(ctx, 'customer.transfer', recordFields.staff), status: 'active', roles: { $in: rolesFor('customer.own') } };
}

export type TransferTarget = { id: string; realName: string; roles: Role[]; storeId: string | null; storeName: string | null };

async function storeNames(orgId: mongoose.Types.ObjectId, ids: (mongoose.Types.ObjectId | null | undefined)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id) => id).map(String))].map((id) => toObjectId(id));
  if (!wanted.length) return new Map();
  return new Map((await Store.find({ orgId, _id: { $in: wanted } }, { name: 1 }).lean()).map((s) => [String(s._id), s.name]));
}

/** The staff the actor may transfer customers to, with their store and roles, by name. */
export async function listTransferTargets(ctx: ServiceContext): Promise<TransferTarget[]> {
  authorize(ctx.actor, 'customer.transfer');
  const staff = await Staff.find(transferTargetFilter(ctx), { realName: 1, roles: 1, storeId: 1 }).sort({ realName: 1 }).lean();
  const stores = await storeNames(
    toObjectId(ctx.orgId),
    staff.map((s) => s.storeId),
  );
  return staff.map((s) => ({
    id: String(s._id),
    realName: s.realName,
    roles: s.roles.filter((r) => r === 'clerk' || r === 'manager'),
    storeId: s.storeId ? String(s.storeId) : null,
    storeName: s.storeId ? (stores.get(String(s.storeId)) ?? null) : null,
  }));
}

/** What the transfers page needs: staff who left with customers waiting, and who may receive them. */
export async function transferOverview(
  ctx: ServiceContext,
): Promise<{ waiting: Awaited<ReturnType<typeof listWaitingForTransfer>>; targets: TransferTarget[] }> {
  const [waiting, targets] = await Promise.all([listWaitingForTransfer(ctx), listTransferTargets(ctx)]);
  return { waiting, targets };
}

/**
 * The one place customers change hands. Moves between active staff are limited (DOMAIN: at most 2 in 90 days by
 * default), enforced per customer by one conditional update; customers of staff who left move freely.
 * Every move lands in the customer's timeline and the audit log, and a domain event lets other modules follow.
 */
export async function transferCustomers(ctx: ServiceContext, input: TransferInput): Promise<TransferResult> {
  authorize(ctx.actor, 'customer.transfer');
  const orgId = toObjectId(ctx.orgId);
  if (!mongoose.isObjectIdOrHexString(input.toStaffId)) throw new ValidationError({ toStaffId: ['unknown_staff'] });
  const toId = toObjectId(input.toStaffId, 'staff');
  const to = await Staff.findOne({ ...transferTargetFilter(ctx), _id: toId }, { storeId: 1, realName: 1 }).lean();
  // A target the page never offered (another store's clerk, a colleague who left): refused before anything is written.
  if (!to) throw new ValidationError({ toStaffId: [(await Staff.exists({ orgId, _id: toId })) ? 'not_transfer_target' : 'unknown_staff'] });
  const toStore = to.storeId ? ((await Store.findOne({ orgId, _id: to.storeId }, { name: 1 }).lean())?.name ?? null) : null;

  const filter: Record<string, unknown> = transferScope(ctx);
  if (input.customerIds.length) {
    if (input.customerIds.some((id) => !mongoose.isObjectIdOrHexString(id))) throw new ValidationError({ customerIds: ['unknown_customer'] });
    filter._id = { $in: input.customerIds.map((id) => toObjectId(id)) };
  }
  if (input.fromStaffId) filter.ownerId = toObjectId(input.fromStaffId, 'staff');
  if (!input.customerIds.length && !input.fromStaffId) throw new ValidationError({ customerIds: ['required'] });
  const customers = await Customer.find(filter, { name: 1, ownerId: 1, recentTransfers: 1 }).lean();
  if (input.customerIds.length && customers.length !== new Set(input.customerIds).size) throw new ValidationError({ customerIds: ['unknown_customer'] });

  const ownerIds = [...new Set(customers.map((c) => String(c.ownerId)).filter((id) => id !== 'null'))].map((id) => toObjectId(id));
  const leftOwners = new Set((await Staff.find({ orgId, _id: { $in: ownerIds }, status: 'left' }, { _id: 1 }).lean()).map((s) => String(s._id)));
  const { maxTransfers, transferWindowDays, timezone } = await getOrgSettings(ctx);
  const now = new Date();
  const cutoff = DateTime.fromJSDate(now).minus({ days: transferWindowDays }).toJSDate();
  const limitSlot = `recentTransfers.${maxTransfers - 1}`;

  const result: TransferResult = { moved: 0, to: { id: String(to._id), realName: to.realName, storeName: toStore }, refused: [] };
  const movedIds: string[] = [];
  for (const customer of customers) {
    if (String(customer.ownerId) === String(to._id)) continue;
    const limited = !customer.ownerId || !leftOwners.has(String(customer.ownerId));
    const set = { ownerId: to._id, storeId: to.storeId ?? null };
    const update = limited ? { $set: set, $push: { recentTransfers: { $each: [now], $position: 0, $slice: maxTransfers } } } : { $set: set };
    const guard = limited ? { $or: [{ [limitSlot]: { $exists: false } }, { [limitSlot]: { $lt: cutoff } }] } : {};
    const moved = await Customer.updateOne({ _id: customer._id, orgId, ownerId: customer.ownerId ?? null, ...guard }, update);
    if (moved.modifiedCount === 1) {
      result.moved += 1;
      movedIds.push(String(customer._id));
      await appendTimeline(ctx, customer._id, 'customer.transferred', {
        from: customer.ownerId ? String(customer.ownerId) : null,
        to: String(to._id),
        toName: to.realName,
        note: input.note,
      });
    } else {
      // Moved by someone else in the meantime: not a refusal of this request.
      const current = await Customer.findOne({ _id: customer._id, orgId }, { ownerId: 1 }).lean();
      if (String(current?.ownerId) !== String(customer.ownerId)) continue;
      const oldest = customer.recentTransfers[maxTransfers - 1] ?? now;
      const movableFrom = DateTime.fromJSDate(oldest).plus({ days: transferWindowDays }).setZone(timezone).toISODate() ?? '';
      result.refused.push({ id: String(customer._id), name: customer.name, movableFrom });
    }
  }
  if (movedIds.length)
    await recordAudit(ctx, 'customer.transfer', { type: 'staff', id: String(to._id) }, { customers: movedIds.length, from: input.fromStaffId });
  // Follow-ups, conversations and (for a departed clerk's whole book) groups follow, as part of this transfer: it fails if they do.
  const wholeBook = !input.customerIds.length;
  if (movedIds.length || (input.fromStaffId && wholeBook)) {
    const reactions = await domainEvents.emitEventAndRequire('customers.transferred', {
      orgId: ctx.orgId,
      customerIds: movedIds,
      fromStaffId: input.fromStaffId,
      wholeBook,
      toStaffId: String(to._id),
      toStoreId: to.storeId ? String(to.storeId) : null,
      byStaffId: ctx.actor.id,
      by: ctx,
    });
    for (const { groupsMoved } of reactions) if (groupsMoved !== undefined) result.groupsMoved = (result.groupsMoved ?? 0) + groupsMoved;
  }
  return result;
}

/** Staff who left and still own customers in the actor's reach: the "waiting for transfer" list. */
export async function listWaitingForTransfer(ctx: ServiceContext): Promise<{ staffId: string; realName: string; customers: number }[]> {
  authorize(ctx.actor, 'customer.transfer');
  const orgId = toObjectId(ctx.orgId);
  const left = await Staff.find({ orgId, status: 'left' }, { realName: 1 }).lean();
  if (!left.length) return [];
  const counts = await Customer.aggregate<{ _id: mongoose.Types.ObjectId; count: number }>([
    { $match: { ...transferScope(ctx), ownerId: { $in: left.map((s) => s._id) } } },
    { $group: { _id: '$ownerId', count: { $sum: 1 } } },
  ]);
  const byId = new Map(counts.map((row) => [String(row._id), row.count]));
  return left.filter((s) => byId.has(String(s._id))).map((s) => ({ staffId: String(s._id), realName: s.realName, customers: byId.get(String(s._id))! }));
}
