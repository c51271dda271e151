import { describe, expect, it, beforeAll } from '@jest/globals';
import request from 'supertest';
import type { Express } from 'express';
import { useTestDatabase } from '../setup/db.js';
import { buildTestApp, postForm, signIn } from '../setup/app.js';
import { createOrgWithTeam, PASSWORD } from '../factories.js';
import { Staff } from '../../server/models/staff.js';
import { Store } from '../../server/models/store.js';
import { TenantScopeError } from '../../server/db/tenant-scope.js';

useTestDatabase();

let app: Express;
beforeAll(async () => {
  ({ app } = await buildTestApp());
});

async function tokenFor(login: string): Promise<string> {
  const res = await request(app).post('/api/v1/tokens').send({ login, password: PASSWORD, name: 'test' }).expect(201);
  return res.body.token as string;
}

describe('organisation B cannot reach organisation A', () => {
  it('answers 404 for A’s staff and store through the pages, exactly like a missing record', async () => {
    const a = await createOrgWithTeam();
    const b = await createOrgWithTeam();
    const agent = await signIn(app, b.admin.login, PASSWORD);
    const missing = await agent.get('/admin/staff/0123456789abcdef01234567/edit');
    expect(missing.status).toBe(404);
    for (const path of [`/admin/staff/${a.clerk._id}/edit`, `/admin/stores/${a.store._id}/edit`, '/admin/staff/not-an-id/edit']) {
      const res = await agent.get(path);
      expect([path, res.status]).toEqual([path, 404]);
      expect(res.text).toContain('找不到该页面或记录');
    }
    expect((await agent.get(`/admin/staff/${a.clerk._id}/edit`)).text).not.toContain(a.clerk.realName);
  });

  it('answers 404 for A’s records through the API and changes nothing', async () => {
    const a = await createOrgWithTeam();
    const b = await createOrgWithTeam();
    const auth = { Authorization: `Bearer ${await tokenFor(b.admin.login)}` };
    for (const path of [`/api/v1/staff/${a.clerk._id}`, `/api/v1/stores/${a.store._id}`, '/api/v1/stores/nonsense']) {
      const res = await request(app).get(path).set(auth);
      expect([path, res.status, res.body.error?.code]).toEqual([path, 404, 'not_found']);
    }
    await request(app).patch(`/api/v1/staff/${a.clerk._id}`).set(auth).send({ realName: 'Hijacked' }).expect(404);
    await request(app).post(`/api/v1/staff/${a.clerk._id}/deactivate`).set(auth).expect(404);
    await request(app).patch(`/api/v1/stores/${a.store._id}`).set(auth).send({ name: 'Hijacked' }).expect(404);
    const clerk = await Staff.findOne({ _id: a.clerk._id, orgId: a.org._id }).lean();
    expect(clerk?.realName).toBe(a.clerk.realName);
    expect(clerk?.status).toBe('active');
    expect((await Store.findOne({ _id: a.store._id, orgId: a.org._id }).lean())?.name).toBe(a.store.name);
  });

  it('answers 404 when A’s store id is put in B’s form or API body, and writes nothing', async () => {
    const a = await createOrgWithTeam();
    const b = await createOrgWithTeam();
    const auth = { Authorization: `Bearer ${await tokenFor(b.admin.login)}` };
    const api = await request(app)
      .post('/api/v1/staff')
      .set(auth)
      .send({ login: 'cross-org-clerk', password: 'long enough', realName: '跨组织', roles: ['clerk'], storeId: String(a.store._id) });
    expect(api.status).toBe(404);
    const agent = await signIn(app, b.admin.login, PASSWORD);
    const page = await postForm(agent, '/admin/staff/new', '/admin/staff', {
      login: 'cross-org-clerk2',
      password: 'long enough',
      realName: '跨组织',
      roles: ['clerk'],
      storeId: String(a.store._id),
    });
    expect(page.status).toBe(404);
    expect(await Staff.countDocuments({ login: { $in: ['cross-org-clerk', 'cross-org-clerk2'] } }).setOptions({ allOrgs: true })).toBe(0);
  });

  it('lists only the organisation’s own stores and staff', async () => {
    const a = await createOrgWithTeam();
    const b = await createOrgWithTeam();
    const auth = { Authorization: `Bearer ${await tokenFor(b.admin.login)}` };
    const stores = await request(app).get('/api/v1/stores').set(auth).expect(200);
    expect(stores.body.items.map((s: { id: string }) => s.id).sort()).toEqual([String(b.store._id), String(b.otherStore._id)].sort());
    const staff = await request(app).get('/api/v1/staff').set(auth).expect(200);
    expect(staff.body.items.map((s: { id: string }) => s.id)).not.toContain(String(a.admin._id));
  });
});

describe('the tenancy plugin', () => {
  it('refuses a query on a tenant model without an orgId filter', async () => {
    await expect(Staff.find({ login: 'x' })).rejects.toThrow(TenantScopeError);
    await expect(Store.updateOne({ name: 'x' }, { $set: { city: 'y' } })).rejects.toThrow(TenantScopeError);
    await expect(Store.aggregate([{ $match: { name: 'x' } }])).rejects.toThrow(TenantScopeError);
    await expect(Staff.countDocuments({})).rejects.toThrow(TenantScopeError);
    await expect(Staff.find({ orgId: { $ne: null } })).rejects.toThrow(TenantScopeError);
  });
});
