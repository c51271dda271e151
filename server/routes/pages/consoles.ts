import { tr } from '../translate.js';
import { route, ctxOf, type RouteSpec } from '../define.js';
import { homePathFor, presentStaff } from '../../presenters/staff.js';
import { presentCustomerRow } from '../../presenters/customer.js';
import { presentStore } from '../../presenters/store.js';
import { presentAuditEvent } from '../../presenters/audit.js';
import {
  adminConsoleSummary,
  customerConsoleSummary,
  managerConsoleSummary,
  marketerConsoleSummary,
} from '../../services/console/summaries.js';
import { getOwnProfile } from '../../services/org/staff.js';
import { listStoreChoices } from '../../services/org/stores.js';
import { storeNameMap } from '../../presenters/store.js';

async function customersModel(ctx: ReturnType<typeof ctxOf>) {
  const summary = await customerConsoleSummary(ctx);
  const rows = (list: typeof summary.recent) => list.map((c) => presentCustomerRow(c, { tagNames: summary.tagNames }));
  return { customerCount: summary.count, upcoming: rows(summary.upcoming), recent: rows(summary.recent), upcomingDays: summary.upcomingDays };
}

export const consoleRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/',
    access: { signedIn: true },
    handler: (req, res) => res.redirect(303, homePathFor(ctxOf(req).actor)),
  }),
  route({
    method: 'get',
    path: '/console/clerk',
    access: { permission: 'console.clerk' },
    handler: async (req, res) => {
      res.render('pages/consoles/clerk', { title: tr(req, 'nav.clerk'), ...(await customersModel(ctxOf(req))) });
    },
  }),
  route({
    method: 'get',
    path: '/console/agent',
    access: { permission: 'console.agent' },
    handler: async (req, res) => {
      const ctx = ctxOf(req);
      const [me, stores] = await Promise.all([getOwnProfile(ctx), listStoreChoices(ctx)]);
      res.render('pages/consoles/agent', { title: tr(req, 'nav.agent'), profile: presentStaff(me, storeNameMap(stores)) });
    },
  }),
  route({
    method: 'get',
    path: '/console/manager',
    access: { permission: 'console.manager' },
    handler: async (req, res) => {
      const summary = await managerConsoleSummary(ctxOf(req));
      res.render('pages/consoles/manager', {
        title: tr(req, 'nav.manager'),
        store: summary.store ? presentStore(summary.store) : null,
        staff: summary.staff.map((s) => presentStaff(s)),
        customerCount: summary.customerCount,
      });
    },
  }),
  route({
    method: 'get',
    path: '/console/marketer',
    access: { permission: 'console.marketer' },
    handler: async (req, res) => {
      res.render('pages/consoles/marketer', { title: tr(req, 'nav.marketer'), ...(await marketerConsoleSummary(ctxOf(req))) });
    },
  }),
  route({
    method: 'get',
    path: '/console/admin',
    access: { permission: 'console.admin' },
    handler: async (req, res) => {
      const summary = await adminConsoleSummary(ctxOf(req));
      res.render('pages/consoles/admin', {
        title: tr(req, 'nav.admin'),
        ...summary,
        recentAudit: summary.recentAudit.map(presentAuditEvent),
      });
    },
  }),
];
