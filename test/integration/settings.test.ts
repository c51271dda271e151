import { describe, expect, it, beforeAll } from '@jest/globals';
import request from 'supertest';
import type { Express } from 'express';
import { useTestDatabase } from '../setup/db.js';
import { buildTestApp, csrfFor, csrfTokenIn, signIn } from '../setup/app.js';
import { createOrgWithTeam, PASSWORD } from '../factories.js';
import { Organization } from '../../server/models/organization.js';
import { AuditEvent } from '../../server/models/audit-event.js';

useTestDatabase();

let app: Express;
beforeAll(async () => {
  ({ app } = await buildTestApp());
});

const validSettings = { name: '新名字', timezone: 'Asia/Urumqi', dndStart: '22:00', dndEnd: '07:30', stepUpMinutes: '10' };

describe('organisation settings behind the password step-up', () => {
  it('asks for the password before showing the settings, then saves and audits the change', async () => {
    const { admin, org } = await createOrgWithTeam();
    const agent = await signIn(app, admin.login, PASSWORD);
    await agent.get('/admin/settings').expect(303).expect('location', '/confirm-password?next=%2Fadmin%2Fsettings');

    const prompt = await agent.get('/confirm-password?next=%2Fadmin%2Fsettings').expect(200);
    const wrong = await agent
      .post('/confirm-password')
      .type('form')
      .send({ _csrf: csrfTokenIn(prompt.text), password: 'not it', next: '/admin/settings' });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('密码错误');
    await agent.get('/admin/settings').expect(303);

    const right = await agent
      .post('/confirm-password')
      .type('form')
      .send({ _csrf: csrfTokenIn(wrong.text), password: PASSWORD, next: '/admin/settings' });
    expect(right.status).toBe(303);
    expect(right.headers.location).toBe('/admin/settings');

    const page = await agent.get('/admin/settings').expect(200);
    expect(page.text).toContain('value="Asia/Shanghai"');
    const saved = await agent
      .post('/admin/settings')
      .type('form')
      .send({ ...validSettings, _csrf: csrfTokenIn(page.text) });
    expect(saved.status).toBe(303);
    const stored = await Organization.findById(org._id).lean();
    expect(stored).toMatchObject({ name: '新名字', settings: { timezone: 'Asia/Urumqi', dndStart: '22:00', dndEnd: '07:30', stepUpMinutes: 10 } });
    const audit = await AuditEvent.findOne({ orgId: org._id, action: 'org.settings_change' }).lean();
    expect(audit?.meta).toMatchObject({ changes: { timezone: { from: 'Asia/Shanghai', to: 'Asia/Urumqi' } } });
    expect(await AuditEvent.countDocuments({ orgId: org._id, action: 'auth.step_up' })).toBe(1);
  });

  it('keeps what was typed when the confirmation has expired, and saves after the password is given', async () => {
    const { admin, org } = await createOrgWithTeam();
    const agent = await signIn(app, admin.login, PASSWORD);
    // The form was opened long ago: no confirmation in this session.
    const token = await csrfFor(agent, '/profile');
    const prompt = await agent
      .post('/admin/settings')
      .type('form')
      .send({ ...validSettings, _csrf: token });
    expect(prompt.status).toBe(403);
    expect(prompt.text).toContain('name="timezone" value="Asia/Urumqi"');
    expect(prompt.text).toContain('name="confirmPassword"');
    expect((await Organization.findById(org._id).lean())?.name).not.toBe('新名字');

    const carried = [...prompt.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map(([, name, value]) => [name, value]);
    const body = Object.fromEntries(carried as [string, string][]);
    const done = await agent
      .post('/admin/settings')
      .type('form')
      .send({ ...body, confirmPassword: PASSWORD });
    expect(done.status).toBe(303);
    expect((await Organization.findById(org._id).lean())?.settings).toMatchObject({ timezone: 'Asia/Urumqi' });
  });

  it('shows bad settings again with messages and keeps the stored ones', async () => {
    const { admin, org } = await createOrgWithTeam();
    const agent = await signIn(app, admin.login, PASSWORD);
    const prompt = await agent.get('/confirm-password').expect(200);
    await agent
      .post('/confirm-password')
      .type('form')
      .send({ _csrf: csrfTokenIn(prompt.text), password: PASSWORD })
      .expect(303);
    const token = await csrfFor(agent, '/admin/settings');
    const res = await agent
      .post('/admin/settings')
      .type('form')
      .send({ ...validSettings, timezone: 'Mars/Olympus', dndStart: '25:00', stepUpMinutes: '0', _csrf: token });
    expect(res.status).toBe(400);
    expect(res.text).toContain('未知的时区名称');
    expect(res.text).toContain('请输入 HH:MM 格式的时间');
    expect(res.text).toContain('value="Mars/Olympus"');
    expect((await Organization.findById(org._id).lean())?.settings).toMatchObject({ timezone: 'Asia/Shanghai', dndStart: '21:00' });
  });

  it('requires confirmPassword on the API and saves a partial change with it', async () => {
    const { admin, org } = await createOrgWithTeam();
    const { body } = await request(app).post('/api/v1/tokens').send({ login: admin.login, password: PASSWORD, name: 'a' }).expect(201);
    const auth = { Authorization: `Bearer ${body.token}` };
    const current = await request(app).get('/api/v1/org/settings').set(auth).expect(200);
    expect(current.body.settings).toMatchObject({ timezone: 'Asia/Shanghai', dndStart: '21:00', dndEnd: '08:00', stepUpMinutes: 5 });

    const refused = await request(app).patch('/api/v1/org/settings').set(auth).send({ timezone: 'Europe/Paris' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('step_up_required');
    const wrong = await request(app).patch('/api/v1/org/settings').set(auth).send({ timezone: 'Europe/Paris', confirmPassword: 'nope' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details.fields).toEqual({ password: ['wrong_password'] });
    const ok = await request(app).patch('/api/v1/org/settings').set(auth).send({ timezone: 'Europe/Paris', confirmPassword: PASSWORD });
    expect(ok.status).toBe(200);
    expect(ok.body.settings).toMatchObject({ timezone: 'Europe/Paris', dndStart: '21:00' });
    expect((await Organization.findById(org._id).lean())?.settings).toMatchObject({ timezone: 'Europe/Paris' });
  });

  it('shows the audit log to admins with dates in the organisation timezone', async () => {
    const { admin } = await createOrgWithTeam();
    const agent = await signIn(app, admin.login, PASSWORD);
    const page = await agent.get('/admin/audit').expect(200);
    expect(page.text).toContain('登录');
    expect(page.text).toContain(admin.realName);
  });
});

describe('languages', () => {
  it('speaks Simplified Chinese by default', async () => {
    const res = await request(app).get('/login').expect(200);
    expect(res.text).toContain('<html lang="zh-CN">');
    expect(res.text).toContain('登录 Storelink');
  });

  it('follows Accept-Language, then a ?lang= choice that a cookie remembers', async () => {
    const english = await request(app).get('/login').set('Accept-Language', 'en-US,en;q=0.9').expect(200);
    expect(english.text).toContain('Log in to Storelink');
    expect(english.text).toContain('<label for="f-login" class="form-label">Login</label>');

    const agent = request.agent(app);
    const chosen = await agent.get('/login?lang=en').set('Accept-Language', 'zh-CN').expect(200);
    expect(chosen.text).toContain('Log in to Storelink');
    const remembered = await agent.get('/login').set('Accept-Language', 'zh-CN').expect(200);
    expect(remembered.text).toContain('Log in to Storelink');
    const back = await agent.get('/login?lang=zh-CN').expect(200);
    expect(back.text).toContain('登录 Storelink');
  });

  it('translates error messages for the API clients in English and pages in the chosen language', async () => {
    const res = await request(app).get('/no-such-page?lang=en').set('Accept', 'text/html').expect(404);
    expect(res.text).toContain('This page or record does not exist.');
  });
});
