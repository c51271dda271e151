import { AuditEvent, type AuditAction } from '../../models/audit-event.js';
import { toObjectId } from '../ids.js';
import type { ServiceContext } from '../context.js';
import { authorize } from '../../policies/permissions.js';

export async function recordAudit(
  ctx: ServiceContext,
  action: AuditAction,
  target?: { type: string; id: string },
  meta: Record<string, unknown> = {},
): Promise<void> {
  await AuditEvent.create({
    orgId: toObjectId(ctx.orgId),
    actorId: ctx.actor.system ? null : toObjectId(ctx.actor.id),
    action,
    targetType: target?.type,
    targetId: target ? toObjectId(target.id) : null,
    meta,
    ip: ctx.ip,
  });
}

export async function listAuditEvents(ctx: ServiceContext, opts: { limit: number; before?: Date | undefined }) {
  authorize(ctx.actor, 'audit.read');
  const orgId = toObjectId(ctx.orgId);
  const filter: Record<string, unknown> = { orgId };
  if (opts.before) filter.at = { $lt: opts.before };
  return AuditEvent.find(filter).sort({ at: -1 }).limit(opts.limit).populate({ path: 'actorId', select: 'realName login', match: { orgId } }).lean();
}
