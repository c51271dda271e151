import { endpoint } from '../../http/endpoint.js';
import { listAuditEvents } from '../../services/audit/record-audit.js';

/** The latest entries of the organisation's audit log (the page shows no more). */
export const recentAuditEvents = endpoint({ access: { permission: 'audit.read' }, run: (ctx) => listAuditEvents(ctx, { limit: 100 }) });
