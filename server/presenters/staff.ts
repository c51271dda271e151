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
  { path: '/customers', key: 'nav.customers', action: 'customer.read' },
  { path: '/tags', key: 'nav.tags', action: 'tag.personal' },
  { path: '/customers/transfers', key: 'nav.transfers', action: 'customer.transfer' },
  { path: '/admin/stores', key: 'nav.stores', action: 'store.manage' },
  { path: '/admin/staff', key: 'nav.staff', action: 'staff.manage' },
  { path: '/admin/settings', key: 'nav.settings', action: 'org.settings.manage' },
  { path: '/admin/audit', key: 'nav.audit', action: 'audit.read' },
] as const;

/** The consoles and pages this actor may open, from the permission matrix. */
export function presentNavigation(actor: Actor, currentPath: string) {
  const items = [
    ...consoleActions.filter((action) => can(actor, action)).map((action) => consolePaths[action]),
    ...pageLinks.filter((page) => can(actor, page.action)).map(({ path, key }) => ({ path, key })),
  ];
  return items.map((item) => ({ ...item, active: currentPath === item.path || currentPath.startsWith(`${item.path}/`) }));
}

/** Where a staff member lands after login: the first console their roles give. */
export function homePathFor(actor: Actor): string {
  const first = consoleActions.find((action) => can(actor, action));
  return first ? consolePaths[first].path : '/profile';
}
