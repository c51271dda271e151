import { describe, expect, it, beforeAll } from '@jest/globals';
import request from 'supertest';
import type { Express } from 'express';
import { useTestDatabase } from '../setup/db.js';
import { buildTestApp, csrfTokenIn, postForm, signIn } from '../setup/app.js';
import { createOrgWithTeam, PASSWORD } from '../factories.js';
import { Staff } from '../../server/models/staff.js';
import { Organization } from '../../server/models/organization.js';

useTestDatabase();

let app: Express;
beforeAll(async () => {
  ({ app } = await buildTestApp());
});

describe('the staff form as it comes', () => {
  it('opens with the organisation’s do-not-disturb window, labelled, and saves as it comes', async () => {
    const { admin, org, store } = await createOrgWithTeam({ dndStart: '22:30', dndEnd: '07:15' });
    const agent = await signIn(app, admin.login, PASSWORD);
    const page = await agent.get('/admin/staff/new').expect(200);
    expect(page.text).toMatch(
      /<label for="f-dndStart" class="form-label">免打扰开始<\/label>\s*<input id="f-dndStart" name="dndStart" type="time"[^>]* value="22:30"/,
    );
    expect(page.text).toMatch(
      /<label for="f-dndEnd" class="form-label">免打扰结束<\/label>\s*<input id="f-dndEnd" name="dndEnd" type="time"[^>]* value="07:15"/,
    );
    expect(page.text).toContain('<legend class="form-label fs-6">免打扰时段</legend>');

    const login = `new-${String(org._id).slice(-6)}`;
    const saved = await agent
      .post('/admin/staff')
      .type('form')
      .send({
        _csrf: csrfTokenIn(page.text),
        login,
        password: 'long enough',
        realName: '王小丫',
        storeId: String(store._id),
        roles: 'clerk',
        dndStart: '22:30',
        dndEnd: '07:15',
      });
    expect(saved.status).toBe(303);
    expect(await Staff.findOne({ orgId: org._id, login }).lean()).toMatchObject({ dndStart: '22:30', dndEnd: '07:15', roles: ['clerk'] });
  });

  it('takes an emptied window as the organisation’s default instead of refusing the form', async () => {
    const { admin, org, store } = await createOrgWithTeam({ dndStart: '20:00', dndEnd: '09:00' });
    const agent = await signIn(app, admin.login, PASSWORD);
    const login = `empty-${String(org._id).slice(-6)}`;
    const res = await postForm(agent, '/admin/staff/new', '/admin/staff', {
      login,
      password: 'long enough',
      realName: '李四',
      storeId: String(store._id),
      roles: 'clerk',
      dndStart: '',
      dndEnd: '',
    });
    expect(res.status).toBe(303);
    expect(await Staff.findOne({ orgId: org._id, login }).lean()).toMatchObject({ dndStart: '20:00', dndEnd: '09:00' });
  });

  it('keeps the one role ticked, the password and the window when the form is refused', async () => {
    const { admin } = await createOrgWithTeam();
    const agent = await signIn(app, admin.login, PASSWORD);
    // No store for a clerk: refused by the service after the schema accepted everything.
    const res = await postForm(agent, '/admin/staff/new', '/admin/staff', {
      login: 'someone-new',
      password: 'typed password',
      realName: '赵六',
      storeId: '',
      roles: 'clerk',
      dndStart: '23:00',
      dndEnd: '06:00',
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('店长、导购和客服必须属于一个门店');
    expect(res.text).toMatch(/id="f-role-clerk"[^>]*checked/);
    expect(res.text).not.toMatch(/id="f-role-admin"[^>]*checked/);
    expect(res.text).toMatch(/name="password" type="password"[^>]* value="typed password"/);
    expect(res.text).toContain('value="23:00"');
    expect(res.text).toContain('value="06:00"');
  });
});

describe('the organisation timezone', () => {
  it('is a choice list with Asia/Shanghai first and names people know, and the server still refuses an unknown one', async () => {
    const { admin, org } = await createOrgWithTeam();
    const agent = await signIn(app, admin.login, PASSWORD);
    const prompt = await agent.get('/confirm-password?next=%2Fadmin%2Fsettings').expect(200);
    await agent
      .post('/confirm-password')
      .type('form')
      .send({ _csrf: csrfTokenIn(prompt.text), password: PASSWORD, next: '/admin/settings' })
      .expect(303);

    const page = await agent.get('/admin/settings').expect(200);
    const select = /<select id="f-timezone" name="timezone"[^>]*>([\s\S]*?)<\/select>/.exec(page.text)?.[1] ?? '';
    const options = [...select.matchAll(/<option value="([^"]+)"( selected)?>([^<]*)<\/option>/g)];
    expect(options.length).toBeGreaterThan(300);
    expect(options[0]).toMatchObject({ 1: 'Asia/Shanghai', 2: ' selected' });
    expect(options[0]![3]).toContain('中国标准时间');
    expect(page.text).toMatch(/<label for="f-timezone" class="form-label">时区<\/label>/);
    expect(page.text).not.toMatch(/<input[^>]*name="timezone"/);

    const body = Object.fromEntries(
      [...page.text.matchAll(/<input id="f-(\w+)" name="\w+" type="(?:text|number|time)"[^>]* value="([^"]*)"/g)].map(([, name, value]) => [name, value]),
    );
    const refused = await agent
      .post('/admin/settings')
      .type('form')
      .send({ ...body, massMessagePolicy: 'month_days', timezone: 'Mars/Olympus', _csrf: csrfTokenIn(page.text) });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('未知的时区名称');
    expect(refused.text).toContain('<option value="Mars/Olympus" selected>');
    const saved = await agent
      .post('/admin/settings')
      .type('form')
      .send({ ...body, massMessagePolicy: 'month_days', timezone: 'Asia/Urumqi', _csrf: csrfTokenIn(page.text) });
    expect(saved.status).toBe(303);
    expect((await Organization.findById(org._id).lean())?.settings?.timezone).toBe('Asia/Urumqi');
  });
});

describe('error pages', () => {
  it('say what happened in words, with the code as small print and a way back', async () => {
    const { admin } = await createOrgWithTeam();
    const agent = await signIn(app, admin.login, PASSWORD);
    const res = await agent.get('/admin/no-such-page').set('Referer', 'http://127.0.0.1/admin/staff').set('Host', '127.0.0.1').expect(404);
    expect(res.text).toMatch(/<h1 class="h4">找不到这个页面<\/h1>/);
    expect(res.text).toContain('找不到该页面或记录。');
    expect(res.text).toMatch(/<p class="text-body-secondary small[^"]*" data-testid="error-code">错误代码 404 · <code[^>]*>not_found<\/code><\/p>/);
    expect(res.text).toMatch(/<a class="btn btn-outline-secondary" href="\/admin\/staff" data-history-back>返回上一页<\/a>/);
    expect(res.text).toContain('<a class="btn btn-success" href="/">返回首页</a>');

    // Another site's address is no way back; the tab's history is (the link waits for the script to show it).
    const foreign = await agent.get('/admin/no-such-page').set('Referer', 'https://elsewhere.example/x').expect(404);
    expect(foreign.text).toMatch(/href="#" data-history-back hidden>/);
    expect(foreign.text).toContain('/static/js/back-link.js');

    const forbidden = await (await signIn(app, (await createOrgWithTeam()).clerk.login, PASSWORD)).get('/admin/staff').expect(403);
    expect(forbidden.text).toMatch(/<h1 class="h4">无法访问这里<\/h1>/);
    expect(forbidden.text).toContain('你没有权限执行此操作。');

    // The API keeps its JSON with the code.
    const api = await request(app).get('/api/v1/no-such-thing').expect(404);
    expect(api.body).toMatchObject({ error: { code: 'not_found' } });
  });

  it('speak English to English readers', async () => {
    const res = await request(app).get('/no-such-page?lang=en').expect(404);
    expect(res.text).toContain('This page was not found');
    expect(res.text).toMatch(/Error code 404 · <code[^>]*>not_found<\/code>/);
  });
});
