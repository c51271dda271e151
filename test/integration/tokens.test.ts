import { describe, expect, it, beforeAll } from '@jest/globals';
import request from 'supertest';
import type { Express } from 'express';
import { useTestDatabase } from '../setup/db.js';
import { buildTestApp, postForm, signIn } from '../setup/app.js';
import { createOrgWithTeam, PASSWORD } from '../factories.js';
import { ApiToken } from '../../server/models/api-token.js';
import { AuditEvent } from '../../server/models/audit-event.js';

useTestDatabase();

let app: Express;
beforeAll(async () => {
  ({ app } = await buildTestApp());
});

describe('API tokens', () => {
  it('creates a token from login and password, shown once and stored hashed, that opens the API until revoked', async () => {
    const { agent: agentStaff, org } = await createOrgWithTeam();
    const created = await request(app).post('/api/v1/tokens').send({ login: agentStaff.login, password: PASSWORD, name: '工作手机' });
    expect(created.status).toBe(201);
    const { token, id } = created.body as { token: string; id: string };
    expect(token).toMatch(/^slk_/);

    const stored = await ApiToken.findOne({ _id: id, orgId: org._id }).lean();
    expect(stored?.tokenHash).toBeDefined();
    expect(JSON.stringify(stored)).not.toContain(token);

    const me = await request(app).get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(200);
    expect(me.body).toMatchObject({ id: String(agentStaff._id), login: agentStaff.login, roles: ['agent'] });
    expect(me.body.passwordHash).toBeUndefined();

    const list = await request(app).get('/api/v1/tokens').set('Authorization', `Bearer ${token}`).expect(200);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ id, name: '工作手机', active: true });
    expect(JSON.stringify(list.body)).not.toContain(token);
    expect(list.body.items[0].lastUsedAt).not.toBeNull();

    await request(app).delete(`/api/v1/tokens/${id}`).set('Authorization', `Bearer ${token}`).expect(204);
    const after = await request(app).get('/api/v1/me').set('Authorization', `Bearer ${token}`);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('unauthenticated');
    expect(await AuditEvent.countDocuments({ orgId: org._id, action: { $in: ['token.create', 'token.revoke'] } })).toBe(2);
  });

  it('refuses wrong credentials with 401 and bad input with 400 and field details', async () => {
    const { clerk } = await createOrgWithTeam();
    const wrong = await request(app).post('/api/v1/tokens').send({ login: clerk.login, password: 'nope', name: 'x' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toMatchObject({ code: 'unauthenticated' });
    const missing = await request(app).post('/api/v1/tokens').send({ login: clerk.login });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('invalid_input');
    expect(Object.keys(missing.body.error.details.fields).sort()).toEqual(['name', 'password']);
    const types = await request(app)
      .post('/api/v1/tokens')
      .send({ login: 42, password: ['x'], name: 'x' });
    expect(types.status).toBe(400);
    expect(Object.keys(types.body.error.details.fields).sort()).toEqual(['login', 'password']);
  });

  it('rejects an unknown or malformed bearer token', async () => {
    for (const header of ['Bearer slk_made-up', 'Bearer something-else', 'Basic abc']) {
      const res = await request(app).get('/api/v1/me').set('Authorization', header);
      expect([header, res.status]).toEqual([header, 401]);
    }
  });

  it('creates and revokes tokens from the profile page', async () => {
    const { clerk, org } = await createOrgWithTeam();
    const agent = await signIn(app, clerk.login, PASSWORD);
    const created = await postForm(agent, '/profile', '/profile/tokens', { name: '收银台' });
    expect(created.status).toBe(200);
    expect(created.headers['cache-control']).toBe('no-store');
    const token = /value="(slk_[^"]+)" data-testid="new-token"/.exec(created.text)?.[1];
    expect(token).toMatch(/^slk_/);
    await request(app).get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(200);

    // The token is not shown again.
    const profile = await agent.get('/profile').expect(200);
    expect(profile.text).not.toContain(token!);
    expect(profile.text).toContain('收银台');

    const record = await ApiToken.findOne({ orgId: org._id, staffId: clerk._id }).lean();
    const revoked = await postForm(agent, '/profile', `/profile/tokens/${record!._id}/revoke`, {});
    expect(revoked.status).toBe(303);
    await request(app).get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(401);
  });

  it('cannot revoke another staff member’s token', async () => {
    const { clerk, manager } = await createOrgWithTeam();
    const mine = await request(app).post('/api/v1/tokens').send({ login: clerk.login, password: PASSWORD, name: 'c' }).expect(201);
    const theirs = await request(app).post('/api/v1/tokens').send({ login: manager.login, password: PASSWORD, name: 'm' }).expect(201);
    await request(app).delete(`/api/v1/tokens/${theirs.body.id}`).set('Authorization', `Bearer ${mine.body.token}`).expect(404);
    await request(app).get('/api/v1/me').set('Authorization', `Bearer ${theirs.body.token}`).expect(200);
  });

  it('ends tokens for good on a password reset and on deactivation; reactivation revives none, a new token works', async () => {
    const { admin, clerk, manager } = await createOrgWithTeam();
    const adminAuth = {
      Authorization: `Bearer ${(await request(app).post('/api/v1/tokens').send({ login: admin.login, password: PASSWORD, name: 'a' }).expect(201)).body.token}`,
    };
    const tokenOf = async (login: string, password = PASSWORD) =>
      (await request(app).post('/api/v1/tokens').send({ login, password, name: 't' }).expect(201)).body.token as string;
    const me = (token: string) => request(app).get('/api/v1/me').set('Authorization', `Bearer ${token}`);

    // A reset on the admin page (the only place a password is reset) ends the clerk's token.
    const clerkToken = await tokenOf(clerk.login);
    await me(clerkToken).expect(200);
    const page = await signIn(app, admin.login, PASSWORD);
    const reset = await postForm(page, `/admin/staff/${clerk._id}/edit`, `/admin/staff/${clerk._id}/password`, { password: 'a new password 2026' });
    expect(reset.status).toBe(303);
    expect((await me(clerkToken)).status).toBe(401);
    const fresh = await tokenOf(clerk.login, 'a new password 2026');
    await me(fresh).expect(200);
    const listed = await request(app).get('/api/v1/tokens').set('Authorization', `Bearer ${fresh}`).expect(200);
    expect(listed.body.items.map((t: { active: boolean }) => t.active).sort()).toEqual([false, true]);

    // Deactivation ends the token; reactivation does not bring it back.
    const managerToken = await tokenOf(manager.login);
    await request(app).post(`/api/v1/staff/${manager._id}/deactivate`).set(adminAuth).expect(200);
    expect((await me(managerToken)).status).toBe(401);
    await request(app).post(`/api/v1/staff/${manager._id}/reactivate`).set(adminAuth).expect(200);
    const revived = await me(managerToken);
    expect(revived.status).toBe(401);
    expect(revived.body.error.code).toBe('unauthenticated');
    await me(await tokenOf(manager.login)).expect(200);
  });
});
