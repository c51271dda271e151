import type { StaffDoc, Role } from '../models/staff.js';
import { can, consoleActions, type Action, type Actor } from '../policies/permissions.js';

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

type NavEntry = { path: string; key: string; actions: readonly Action[] };
const consoleEntry = (action: Exclude<(typeof consoleActions)[number], 'console.agent'>): NavEntry => ({ ...consolePaths[action], actions: [action] });

/**
 * Every page the navigation can offer, grouped as the desktop menus show them; a link appears when any of its
 * actions is allowed. The agent console sits with customer service, where agents and clerks serving chats look for it.
 */
const navGroups: readonly { id: string; key: string; entries: readonly NavEntry[] }[] = [
  { id: 'home', key: 'navigation.groups.home', entries: consoleActions.filter((action) => action !== 'console.agent').map(consoleEntry) },
  {
    id: 'customers',
    key: 'navigation.groups.customers',
    entries: [
      { path: '/customers', key: 'nav.customers', actions: ['customer.read'] },
      { path: '/customers/new', key: 'navigation.addCustomer', actions: ['customer.write'] },
      { path: '/tags', key: 'nav.tags', actions: ['tag.personal'] },
      { path: '/customers/transfers', key: 'nav.transfers', actions: ['customer.transfer'] },
    ],
  },
  {
    id: 'engage',
    key: 'navigation.groups.engage',
    entries: [
      { path: '/groups', key: 'nav.groups', actions: ['group.read'] },
      { path: '/moments', key: 'nav.moments', actions: ['moment.read'] },
      { path: '/campaigns', key: 'nav.campaigns', actions: ['campaign.read'] },
    ],
  },
  {
    id: 'service',
    key: 'navigation.groups.service',
    entries: [
      { path: '/console/agent', key: 'nav.agent', actions: ['console.agent', 'chat.serve'] },
      { path: '/chat/canned', key: 'nav.cannedReplies', actions: ['chat.serve'] },
      { path: '/chat/reports', key: 'nav.chatReports', actions: ['chat.report'] },
      { path: '/admin/channels', key: 'nav.channels', actions: ['chat.manage'] },
    ],
  },
  {
    id: 'followups',
    key: 'navigation.groups.followups',
    entries: [
      { path: '/followups', key: 'nav.followups', actions: ['followup.read'] },
      { path: '/followups/rules', key: 'nav.followupRules', actions: ['followup.rules'] },
      { path: '/followups/report', key: 'nav.followupReport', actions: ['followup.report'] },
    ],
  },
  {
    id: 'admin',
    key: 'navigation.groups.admin',
    entries: [
      { path: '/admin/stores', key: 'nav.stores', actions: ['store.manage'] },
      { path: '/admin/staff', key: 'nav.staff', actions: ['staff.manage'] },
      { path: '/admin/settings', key: 'nav.settings', actions: ['org.settings.manage'] },
      { path: '/admin/audit', key: 'nav.audit', actions: ['audit.read'] },
      { path: '/admin/jobs', key: 'nav.jobs', actions: ['job.read'] },
    ],
  },
];

export type NavLink = { path: string; key: string; active: boolean; badge: number; badgeLabel: string };
export type NavGroup = { id: string; key: string; links: NavLink[]; active: boolean; badge: number; badgeLabel: string; single: NavLink | null };

/** What a count beside a link means, for screen readers (the number alone says nothing); a menu sums its links'. */
const badgeLabels: Record<string, string> = { '/followups': 'followups.badgeLabel', '/moments': 'moments.unseen' };
const MENU_BADGE_LABEL = 'navigation.badgeLabel';
export type NavTab = NavLink & { icon: 'home' | 'customers' | 'add' | 'followups'; primary: boolean };
export type Navigation = { groups: NavGroup[]; links: NavLink[]; tabs: NavTab[] };

/**
 * What this actor may open, from the permission matrix: grouped menus for desktops, and on phones a tab bar for
 * those who add customers on the shop floor (home, customers, add, follow-ups; "more" opens the menus). The most
 * specific link containing the current page is the active one; `badges` puts a count beside a link.
 */
export function presentNavigation(actor: Actor, currentPath: string, badges: Record<string, number> = {}): Navigation {
  const allowed = (entry: NavEntry) => entry.actions.some((action) => can(actor, action));
  const contains = (path: string) => currentPath === path || currentPath.startsWith(`${path}/`);
  const visible = navGroups.flatMap((group) => group.entries.filter(allowed));
  const activePath = visible
    .map((entry) => entry.path)
    .filter(contains)
    .sort((a, b) => b.length - a.length)[0];
  const link = ({ path, key }: { path: string; key: string }): NavLink => ({
    path,
    key,
    active: path === activePath,
    badge: badges[path] ?? 0,
    badgeLabel: badgeLabels[path] ?? MENU_BADGE_LABEL,
  });

  const groups = navGroups
    .map(({ id, key, entries }) => {
      const links = entries.filter(allowed).map(link);
      const badged = links.filter((l) => l.badge > 0);
      const group: NavGroup = {
        id,
        key,
        links,
        active: links.some((l) => l.active),
        badge: badged.reduce((sum, l) => sum + l.badge, 0),
        // One kind of count keeps its own words; several together are "new items".
        badgeLabel: badged.length === 1 ? badged[0]!.badgeLabel : MENU_BADGE_LABEL,
        single: links.length === 1 ? links[0]! : null,
      };
      return group;
    })
    .filter((group) => group.links.length > 0);

  const home = homePathFor(actor);
  const tabs: NavTab[] = [];
  if (can(actor, 'customer.write')) {
    const tab = (path: string, key: string, icon: NavTab['icon'], primary = false): NavTab => ({
      ...link({ path, key }),
      active: path === home ? currentPath === home : path === activePath,
      icon,
      primary,
    });
    tabs.push(tab(home, 'navigation.home', 'home'));
    if (can(actor, 'customer.read')) tabs.push(tab('/customers', 'nav.customers', 'customers'));
    tabs.push(tab('/customers/new', 'navigation.addCustomer', 'add', true));
    if (can(actor, 'followup.read')) tabs.push(tab('/followups', 'nav.followups', 'followups'));
  }
  return { groups, links: groups.flatMap((group) => group.links), tabs };
}

/** Where a staff member lands after login: the first console their roles give. */
export function homePathFor(actor: Actor): string {
  const first = consoleActions.find((action) => can(actor, action));
  return first ? consolePaths[first].path : '/profile';
}
