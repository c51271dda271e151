import { describe, expect, it } from '@jest/globals';
import { authorize, can, permissionMatrix, scopeOf, type Actor } from '../../server/policies/permissions.js';
import { homePathFor, presentNavigation } from '../../server/presenters/staff.js';
import { ForbiddenError } from '../../server/errors.js';

const actor = (roles: Actor['roles'], storeId: string | null = 's1'): Actor => ({ id: 'me', orgId: 'o1', roles, storeId });

describe('the permission matrix', () => {
  it('refuses what it does not list', () => {
    expect(can(actor(['clerk']), 'staff.manage')).toBe(false);
    expect(() => authorize(actor(['agent']), 'org.settings.manage')).toThrow(ForbiddenError);
    expect(can(actor([]), 'customer.read')).toBe(false);
  });

  it('scopes records: own, store, organisation', () => {
    expect(can(actor(['clerk']), 'customer.read', { ownerId: 'me' })).toBe(true);
    expect(can(actor(['clerk']), 'customer.read', { ownerId: 'someone-else', storeId: 's1' })).toBe(false);
    expect(can(actor(['manager']), 'customer.read', { storeId: 's1' })).toBe(true);
    expect(can(actor(['manager']), 'customer.read', { storeId: 's2' })).toBe(false);
    expect(can(actor(['manager'], null), 'customer.read', { storeId: null })).toBe(false);
    expect(can(actor(['marketer'], null), 'customer.read', { storeId: 's9' })).toBe(true);
  });

  it('gives a person with several roles the widest scope of them', () => {
    expect(scopeOf(actor(['clerk', 'manager']), 'customer.read')).toBe('store');
    expect(scopeOf(actor(['clerk', 'admin']), 'customer.read')).toBe('org');
  });

  it('lets a system actor do anything in its organisation', () => {
    expect(can({ id: 'system', orgId: 'o1', roles: [], storeId: null, system: true }, 'org.settings.manage')).toBe(true);
  });

  it('names only known roles', () => {
    const known = new Set(['admin', 'manager', 'clerk', 'agent', 'marketer']);
    for (const entry of Object.values(permissionMatrix)) for (const role of Object.keys(entry)) expect(known.has(role)).toBe(true);
  });

  it('builds navigation and the landing page from the matrix', () => {
    expect(homePathFor(actor(['manager', 'clerk']))).toBe('/console/manager');
    expect(homePathFor(actor(['admin'], null))).toBe('/console/admin');
    const nav = presentNavigation(actor(['admin'], null), '/admin/staff/1/edit');
    expect(nav.links.map((i) => [i.path, i.active])).toContainEqual(['/admin/staff', true]);
    expect(nav.links.map((i) => [i.path, i.active])).toContainEqual(['/admin/stores', false]);
    expect(nav.groups.find((group) => group.id === 'admin')?.active).toBe(true);
    const clerk = presentNavigation(actor(['clerk']), '/customers/new', { '/followups': 2 });
    expect(clerk.links.map((i) => i.path)).toEqual([
      '/console/clerk',
      '/customers',
      '/customers/new',
      '/tags',
      '/groups',
      '/moments',
      '/console/agent',
      '/chat/canned',
      '/followups',
    ]);
    // A group of one is a plain link; the follow-up count shows on the link, its group and the tab.
    expect(clerk.groups.find((group) => group.id === 'followups')?.single).toEqual({
      path: '/followups',
      key: 'nav.followups',
      active: false,
      badge: 2,
      badgeLabel: 'followups.badgeLabel',
    });
    // Each count says what it counts to a screen reader; a menu holding two kinds says "new".
    const engaged = presentNavigation(actor(['clerk']), '/', { '/moments': 3, '/groups': 1 });
    expect(engaged.links.find((i) => i.path === '/moments')).toMatchObject({ badge: 3, badgeLabel: 'moments.unseen' });
    expect(engaged.groups.find((group) => group.id === 'engage')).toMatchObject({ badge: 4, badgeLabel: 'navigation.badgeLabel' });
    expect(presentNavigation(actor(['clerk']), '/', { '/moments': 3 }).groups.find((group) => group.id === 'engage')).toMatchObject({
      badge: 3,
      badgeLabel: 'moments.unseen',
    });
    expect(clerk.tabs.map((tab) => [tab.path, tab.active, tab.badge])).toEqual([
      ['/console/clerk', false, 0],
      ['/customers', false, 0],
      ['/customers/new', true, 0],
      ['/followups', false, 2],
    ]);
    // The agent serves from a desktop: no tab bar, and the console once although two permissions lead to it.
    const agent = presentNavigation(actor(['agent']), '/console/agent');
    expect(agent.tabs).toEqual([]);
    expect(agent.links.filter((i) => i.path === '/console/agent')).toHaveLength(1);
    expect(presentNavigation(actor(['manager', 'clerk']), '/console/manager').tabs[0]).toMatchObject({ path: '/console/manager', active: true });
  });
});
