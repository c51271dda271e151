import type { StaffDoc, Role } from '../models/staff.js';
import { can, consoleActions, type Actor } from '../policies/permissions.js';

export type StaffView = {
  id: string;
  login: string;
  realName: string;
  title: string;
  phone: string;
  showPhoneToCustomers: boolean;
  storeId: string | null;
  storeName: string | null;
  roles: Role[];
  status: StaffDoc['status'];
  active: boolean;
  dndStart: string;
  dndEnd: string;
  email: string;
  lastLoginAt: string | null;
};

export function presentStaff(staff: StaffDoc, storeNames: Map<string, string> = new Map()): StaffView {
  const storeId = staff.storeId ? String(staff.storeId) : null;
  return {
    id: String(staff._id),
    login: staff.login,
    realName: staff.realName,
    title: staff.title,
    phone: staff.phone,
    showPhoneToCustomers: staff.showPhoneToCustomers,
    storeId,
    storeName: storeId ? (storeNames.get(storeId) ?? null) : null,
    roles: [...staff.roles],
    status: staff.status,
    active: staff.status === 'active',
    dndStart: staff.dndStart,
    dndEnd: staff.dndEnd,
    email: staff.email ?? '',
    lastLoginAt: staff.lastLoginAt ? staff.lastLoginAt.toISOString() : null,
  };
}

export function presentMe(staff: StaffDoc) {
  return { id: String(staff._id), realName: staff.realName, login: staff.login, roles: [...staff.roles] };
}

const consolePaths: Record<(typeof consoleActions)[number], { path: string; key: string }> = {
  'console.clerk': { path: '/console/clerk', key: 'nav.clerk' },
  'console.agent': { path: '/console/agent', key: 'nav.agent' },
  'console.manager': { path: '/console/manager', key: 'nav.manager' },
  'console.marketer': { path: '/console/marketer', key: 'nav.marketer' },
  'console.admin': { path: '/console/admin', key: 'nav.admin' },
};

const pageLinks = [
  { path: '/followups', key: 'nav.followups', action: 'followup.read' },
  { path: '/console/agent', key: 'nav.agent', action: 'chat.serve' },
  { path: '/customers', key: 'nav.customers', action: 'customer.read' },
  { path: '/moments', key: 'nav.moments', action: 'moment.read' },
  { path: '/groups', key: 'nav.groups', action: 'group.read' },
  { path: '/campaigns', key: 'nav.campaigns', action: 'campaign.read' },
  { path: '/tags', key: 'nav.tags', action: 'tag.personal' },
  { path: '/customers/transfers', key: 'nav.transfers', action: 'customer.transfer' },
  { path: '/followups/rules', key: 'nav.followupRules', action: 'followup.rules' },
  { path: '/followups/report', key: 'nav.followupReport', action: 'followup.report' },
  { path: '/admin/stores', key: 'nav.stores', action: 'store.manage' },
  { path: '/admin/staff', key: 'nav.staff', action: 'staff.manage' },
  { path: '/admin/settings', key: 'nav.settings', action: 'org.settings.manage' },
  { path: '/admin/audit', key: 'nav.audit', action: 'audit.read' },
  { path: '/admin/jobs', key: 'nav.jobs', action: 'job.read' },
  { path: '/chat/canned', key: 'nav.cannedReplies', action: 'chat.serve' },
  { path: '/chat/reports', key: 'nav.chatReports', action: 'chat.report' },
  { path: '/admin/channels', key: 'nav.channels', action: 'chat.manage' },
] as const;

/**
 * The consoles and pages this actor may open, from the permission matrix; the most specific link containing the
 * current page is the active one. `badges` puts a count beside a link (the follow-up inbox).
 */
export function presentNavigation(actor: Actor, currentPath: string, badges: Record<string, number> = {}) {
  const all = [
    ...consoleActions.filter((action) => can(actor, action)).map((action) => consolePaths[action]),
    ...pageLinks.filter((page) => can(actor, page.action)).map(({ path, key }) => ({ path, key })),
  ];
  // A page two permissions lead to (the agent console) is listed once.
  const items = all.filter((item, index) => all.findIndex((other) => other.path === item.path) === index);
  const contains = (path: string) => currentPath === path || currentPath.startsWith(`${path}/`);
  const active = items.filter((item) => contains(item.path)).sort((a, b) => b.path.length - a.path.length)[0];
  return items.map((item) => ({ ...item, active: item === active, badge: badges[item.path] ?? 0 }));
}

/** Where a staff member lands after login: the first console their roles give. */
export function homePathFor(actor: Actor): string {
  const first = consoleActions.find((action) => can(actor, action));
  return first ? consolePaths[first].path : '/profile';
}
