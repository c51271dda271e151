import { describe, expect, it, beforeAll } from '@jest/globals';
import request from 'supertest';
import type { Express } from 'express';
import { useTestDatabase } from '../setup/db.js';
import { buildTestApp, postForm, signIn } from '../setup/app.js';
import { createOrgWithTeam, PASSWORD } from '../factories.js';
import { Staff } from '../../server/models/staff.js';
import { Store } from '../../server/models/store.js';

useTestDatabase();

let app: Express;
beforeAll(async () => {
  ({ app } = await buildTestApp());
});

async function adminAuth() {
  const team = await createOrgWithTeam();
  const res = await request(app).post('/api/v1/tokens').send({ login: team.admin.login, password: PASSWORD, name: 'admin' }).expect(201);
  return { ...team, auth: { Authorization: `Bearer ${res.body.token as string}` } };
}

describe('bad input writes nothing', () => {
  it('answers missing fields with 400 and per-field details', async () => {
    const { auth, org } = await adminAuth();
    const before = await Staff.countDocuments({ orgId: org._id });
    const res = await request(app).post('/api/v1/staff').set(auth).send({ realName: '' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
    expect(res.body.error.message).toEqual(expect.any(String));
    expect(Object.keys(res.body.error.details.fields).sort()).toEqual(['login', 'password', 'realName', 'roles']);
    expect(await Staff.countDocuments({ orgId: org._id })).toBe(before);
  });

  it('answers wrong types with 400', async () => {
    const { auth, org } = await adminAuth();
    const res = await request(app)
      .post('/api/v1/stores')
      .set(auth)
      .send({ name: ['a'], lng: 'east', lat: 500 });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.error.details.fields).sort()).toEqual(['lat', 'lng', 'name']);
    expect(await Store.countDocuments({ orgId: org._id })).toBe(2);
  });

  it('answers malformed JSON with 400', async () => {
    const { auth } = await adminAuth();
    const res = await request(app).post('/api/v1/stores').set(auth).set('Content-Type', 'application/json').send('{"name": ');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
  });

  it('answers an oversized body with 413 and writes nothing', async () => {
    const { auth, org } = await adminAuth();
    const res = await request(app)
      .post('/api/v1/stores')
      .set(auth)
      .send({ name: 'big', address: 'x'.repeat(200_000) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
    expect(await Store.countDocuments({ orgId: org._id, name: 'big' })).toBe(0);
  });

  it('answers a duplicate with 409', async () => {
    const { auth, clerk } = await adminAuth();
    const res = await request(app)
      .post('/api/v1/staff')
      .set(auth)
      .send({ login: clerk.login, password: 'long enough', realName: 'Dup', roles: ['marketer'] });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'login_taken', details: { fields: { login: ['taken'] } } });
  });

  it('enforces the store rule: clerks need a store, marketers do not', async () => {
    const { auth, org } = await adminAuth();
    const clerk = await request(app)
      .post('/api/v1/staff')
      .set(auth)
      .send({ login: `c-${org._id}`, password: 'long enough', realName: '无店导购', roles: ['clerk'] });
    expect(clerk.status).toBe(400);
    expect(clerk.body.error.details.fields).toEqual({ storeId: ['store_required'] });
    const marketer = await request(app)
      .post('/api/v1/staff')
      .set(auth)
      .send({ login: `m-${org._id}`, password: 'long enough', realName: '运营', roles: ['marketer'], phone: '13912345678' });
    expect(marketer.status).toBe(201);
    expect(marketer.body).toMatchObject({ roles: ['marketer'], storeId: null, phone: '+8613912345678' });
  });

  it('shows a page form again with the values entered and a message per field, and writes nothing', async () => {
    const { admin, org, store } = await createOrgWithTeam();
    const agent = await signIn(app, admin.login, PASSWORD);
    const before = await Staff.countDocuments({ orgId: org._id });
    const res = await postForm(agent, '/admin/staff/new', '/admin/staff', {
      login: 'Bad Login!',
      password: 'short',
      realName: '张三丰',
      title: '高级导购',
      phone: '12',
      storeId: String(store._id),
      roles: ['clerk', 'agent'],
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('value="张三丰"');
    expect(res.text).toContain('value="高级导购"');
    expect(res.text).toContain('value="Bad Login!"');
    expect(res.text).toMatch(/id="f-role-agent"[^>]*checked/);
    expect(res.text).toContain('密码至少需要 8 个字符');
    expect(res.text).toContain('账号须为 3–64 个字符');
    // The admin typed the initial password for someone else: it is kept (the answer is no-store) like every other value.
    expect(res.text).toContain('value="short"');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(await Staff.countDocuments({ orgId: org._id })).toBe(before);
  });
});
