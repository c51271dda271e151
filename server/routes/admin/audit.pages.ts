import type { RouteSpec } from '../../http/gate.js';
import { page } from '../../http/surfaces.js';
import { presentAuditEvent } from '../../presenters/audit.js';
import { recentAuditEvents } from './audit.endpoints.js';

export const auditPageRoutes: RouteSpec[] = [
  page.get('/admin/audit', recentAuditEvents, {
    view: 'pages/admin/audit',
    model: (events, { t }) => ({ title: t('audit.title'), events: events.map(presentAuditEvent) }),
  }),
];
