import { describe, expect, it, beforeAll } from '@jest/globals';
import type { Express } from 'express';
import { DateTime } from 'luxon';
import { useTestDatabase } from '../setup/db.js';
import { buildTestApp, signIn } from '../setup/app.js';
import { createCustomer, createOrgWithTeam, createStaff, PASSWORD } from '../factories.js';

useTestDatabase();

let app: Express;
beforeAll(async () => {
  ({ app } = await buildTestApp());
});

describe('role consoles', () => {
  it('lands each role on its own console after login', async () => {
    const team = await createOrgWithTeam();
    const expected = {
      admin: '/console/admin',
      manager: '/console/manager',
      clerk: '/console/clerk',
      agent: '/console/agent',
      marketer: '/console/marketer',
    } as const;
    for (const [role, path] of Object.entries(expected)) {
      const agent = await signIn(app, team[role as keyof typeof expected].login, PASSWORD);
      const home = await agent.get('/').expect(303);
      expect([role, home.headers.location]).toEqual([role, path]);
      const page = await agent.get(path).expect(200);
      expect(page.text).toContain('<h1');
    }
  });

  it('shows a clerk only her own customers, phones masked, with birthdays coming up in the organisation’s timezone', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    const colleague = await createStaff(org._id, { roles: ['clerk'], storeId: store._id });
    const tomorrow = DateTime.now().setZone('Asia/Shanghai').plus({ days: 1 });
    const later = DateTime.now().setZone('Asia/Shanghai').plus({ days: 30 });
    const soon = await createCustomer(org._id, {
      ownerId: clerk._id,
      storeId: store._id,
      name: '明天生日',
      birthday: { month: tomorrow.month, day: tomorrow.day },
    });
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '下月生日', birthday: { month: later.month, day: later.day } });
    await createCustomer(org._id, { ownerId: colleague._id, storeId: store._id, name: '同事的客户', birthday: { month: tomorrow.month, day: tomorrow.day } });

    const page = await (await signIn(app, clerk.login, PASSWORD)).get('/console/clerk').expect(200);
    expect(page.text).toContain('data-testid="customer-count">2<');
    expect(page.text).not.toContain('同事的客户');
    const upcoming = page.text.slice(page.text.indexOf('upcoming-heading'), page.text.indexOf('recent-heading'));
    expect(upcoming).toContain('明天生日');
    expect(upcoming).not.toContain('下月生日');
    const national = soon.phone.slice(3);
    expect(page.text).toContain(`${national.slice(0, 3)}****${national.slice(-4)}`);
    expect(page.text).not.toContain(national);
  });

  it('shows a manager the staff and customer count of her store only', async () => {
    const { org, store, otherStore, manager, clerk } = await createOrgWithTeam();
    const elsewhere = await createStaff(org._id, { roles: ['clerk'], storeId: otherStore._id, realName: '别店导购' });
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id });
    await createCustomer(org._id, { ownerId: elsewhere._id, storeId: otherStore._id });
    const page = await (await signIn(app, manager.login, PASSWORD)).get('/console/manager').expect(200);
    expect(page.text).toContain(store.name);
    expect(page.text).toContain(clerk.realName);
    expect(page.text).not.toContain('别店导购');
  });

  it('escapes what users typed', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '<script>alert(1)</script>' });
    const page = await (await signIn(app, clerk.login, PASSWORD)).get('/console/clerk').expect(200);
    expect(page.text).not.toContain('<script>alert(1)</script>');
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});
