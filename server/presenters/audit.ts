import type { AuditEventDoc } from '../models/audit-event.js';

type PopulatedActor = { realName?: string; login?: string } | null;

export function presentAuditEvent(event: Omit<AuditEventDoc, 'actorId'> & { actorId?: unknown }) {
  const actor = event.actorId as PopulatedActor;
  return {
    id: String(event._id),
    at: event.at.toISOString(),
    action: event.action,
    actionKey: `audit.actions.${event.action}`,
    actorName: actor && typeof actor === 'object' && 'realName' in actor ? actor.realName : null,
    targetType: event.targetType ?? null,
    targetId: event.targetId ? String(event.targetId) : null,
    ip: event.ip ?? null,
  };
}
