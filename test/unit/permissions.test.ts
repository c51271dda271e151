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
    const nav = presentNavigation(actor(['admin'], null), '/admin/staff/1/edit').map((i) => [i.path, i.active]);
    expect(nav).toContainEqual(['/admin/staff', true]);
    expect(nav).toContainEqual(['/admin/stores', false]);
    expect(presentNavigation(actor(['clerk']), '/').map((i) => i.path)).toEqual(['/console/clerk', '/followups', '/console/agent', '/customers', '/moments', '/groups', '/tags', '/chat/canned']);
  });
});
