import { describe, expect, it, beforeAll } from '@jest/globals';
import request from 'supertest';
import type { Express } from 'express';
import { useTestDatabase } from '../setup/db.js';
import { buildTestApp, csrfFor, postForm, signIn } from '../setup/app.js';
import { createOrgWithTeam, PASSWORD } from '../factories.js';
import { Store } from '../../server/models/store.js';

useTestDatabase();

let app: Express;
beforeAll(async () => {
  ({ app } = await buildTestApp());
});

describe('CSRF', () => {
  it('rejects a form post without a token with 403 and writes nothing', async () => {
    const { admin, org } = await createOrgWithTeam();
    const agent = await signIn(app, admin.login, PASSWORD);
    const before = await Store.countDocuments({ orgId: org._id });
    const res = await agent.post('/admin/stores').type('form').send({ name: 'Sneaky store' });
    expect(res.status).toBe(403);
    expect(res.text).toContain('表单已过期或来源不明');
    expect(await Store.countDocuments({ orgId: org._id })).toBe(before);
  });

  it('rejects a token from another session', async () => {
    const { admin, org } = await createOrgWithTeam();
    const agent = await signIn(app, admin.login, PASSWORD);
    const stranger = request.agent(app);
    const foreignToken = await csrfFor(stranger, '/login');
    const res = await agent.post('/admin/stores').type('form').send({ name: 'Sneaky store', _csrf: foreignToken });
    expect(res.status).toBe(403);
    expect(await Store.countDocuments({ orgId: org._id, name: 'Sneaky store' })).toBe(0);
  });

  it('rejects a login post without a token', async () => {
    const { clerk } = await createOrgWithTeam();
    const res = await request(app).post('/login').type('form').send({ login: clerk.login, password: PASSWORD });
    expect(res.status).toBe(403);
  });

  it('accepts the same post with the page token', async () => {
    const { admin, org } = await createOrgWithTeam();
    const agent = await signIn(app, admin.login, PASSWORD);
    const res = await postForm(agent, '/admin/stores/new', '/admin/stores', { name: '新店', city: '上海', address: '' });
    expect(res.status).toBe(303);
    expect(await Store.countDocuments({ orgId: org._id, name: '新店' })).toBe(1);
  });
});

describe('headers', () => {
  it('sends a Content Security Policy without inline scripts and hides the framework', async () => {
    const res = await request(app).get('/login').expect(200);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-request-id']).toBeDefined();
    expect(res.text).not.toMatch(/<script>(?!<\/script>)/);
  });
});

describe('permissions from the matrix', () => {
  it('answers 403 when a clerk opens admin pages, and over the API', async () => {
    const { clerk } = await createOrgWithTeam();
    const agent = await signIn(app, clerk.login, PASSWORD);
    for (const path of ['/admin/staff', '/admin/stores', '/admin/settings', '/admin/audit', '/console/admin', '/console/marketer']) {
      const res = await agent.get(path);
      expect([path, res.status]).toEqual([path, 403]);
    }
    const login = await request(app).post('/api/v1/tokens').send({ login: clerk.login, password: PASSWORD, name: 'phone' }).expect(201);
    const api = await request(app).get('/api/v1/staff').set('Authorization', `Bearer ${login.body.token}`);
    expect(api.status).toBe(403);
    expect(api.body.error.code).toBe('forbidden');
  });

  it('shows each role only the consoles the matrix gives it', async () => {
    const { clerk, admin } = await createOrgWithTeam();
    const clerkNav = (await (await signIn(app, clerk.login, PASSWORD)).get('/console/clerk')).text;
    expect(clerkNav).toContain('href="/console/clerk"');
    expect(clerkNav).not.toContain('href="/admin/staff"');
    const adminNav = (await (await signIn(app, admin.login, PASSWORD)).get('/console/admin')).text;
    expect(adminNav).toContain('href="/admin/staff"');
    expect(adminNav).not.toContain('href="/console/clerk"');
  });

  it('lets a manager read only the staff of their own store', async () => {
    const { manager, clerk, otherStore, org } = await createOrgWithTeam();
    const { createStaff } = await import('../factories.js');
    const elsewhere = await createStaff(org._id, { roles: ['clerk'], storeId: otherStore._id });
    const { body } = await request(app).post('/api/v1/tokens').send({ login: manager.login, password: PASSWORD, name: 'm' }).expect(201);
    const auth = { Authorization: `Bearer ${body.token}` };
    const list = await request(app).get('/api/v1/staff').set(auth).expect(200);
    const ids = list.body.items.map((s: { id: string }) => s.id);
    expect(ids).toContain(String(clerk._id));
    expect(ids).not.toContain(String(elsewhere._id));
    await request(app).get(`/api/v1/staff/${elsewhere._id}`).set(auth).expect(403);
  });

  it('redirects an anonymous page visit to the login page and answers 401 on the API', async () => {
    await request(app).get('/admin/staff').expect(303).expect('location', '/login?next=%2Fadmin%2Fstaff');
    const res = await request(app).get('/api/v1/me').expect(401);
    expect(res.body.error.code).toBe('unauthenticated');
  });
});
