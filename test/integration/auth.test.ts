import { describe, expect, it, beforeAll, afterAll, jest } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import MongoStore from 'connect-mongo';
import request from 'supertest';
import type { Express } from 'express';
import { useTestDatabase } from '../setup/db.js';
import { buildTestApp, csrfFor, csrfTokenIn, signIn } from '../setup/app.js';
import { createOrgWithTeam, createStaff, createOrg, PASSWORD } from '../factories.js';
import { mongoose } from '../../server/db/connect.js';
import { AuditEvent } from '../../server/models/audit-event.js';
import { SESSION_COOKIE } from '../../server/middlewares/session.js';

useTestDatabase();

let app: Express;
beforeAll(async () => {
  ({ app } = await buildTestApp());
});

function sessionCookie(res: request.Response): string | undefined {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  return cookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`))?.split(';')[0];
}

describe('login', () => {
  it('signs a staff member in, regenerates the session id and lands on their console', async () => {
    const { clerk } = await createOrgWithTeam();
    const agent = request.agent(app);
    const page = await agent.get('/login').expect(200);
    const before = sessionCookie(page);
    expect(before).toBeDefined();
    const res = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrfTokenIn(page.text), login: clerk.login, password: PASSWORD });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/console/clerk');
    const after = sessionCookie(res);
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    expect(res.headers['set-cookie']?.toString()).toMatch(/HttpOnly/i);
    expect(res.headers['set-cookie']?.toString()).toMatch(/SameSite=Lax/i);

    const console = await agent.get('/console/clerk').expect(200);
    expect(console.text).toContain(clerk.realName);
    expect(await AuditEvent.countDocuments({ orgId: clerk.orgId, action: 'auth.login', targetId: clerk._id })).toBe(1);
  });

  it('answers a wrong password with the form again, the login kept and no session', async () => {
    const { clerk } = await createOrgWithTeam();
    const agent = request.agent(app);
    const token = await csrfFor(agent, '/login');
    const res = await agent.post('/login').type('form').send({ _csrf: token, login: clerk.login, password: 'not the password' });
    expect(res.status).toBe(401);
    expect(res.text).toContain('账号或密码错误');
    expect(res.text).toContain(`value="${clerk.login}"`);
    expect(res.text).not.toContain('not the password');
    await agent.get('/console/clerk').expect(303).expect('location', '/login?next=%2Fconsole%2Fclerk');
  });

  it('answers an unknown login exactly like a wrong password', async () => {
    const agent = request.agent(app);
    const token = await csrfFor(agent, '/login');
    const res = await agent.post('/login').type('form').send({ _csrf: token, login: 'nobody-here', password: 'whatever1' });
    expect(res.status).toBe(401);
    expect(res.text).toContain('账号或密码错误');
  });

  it('shows missing fields as field messages', async () => {
    const agent = request.agent(app);
    const token = await csrfFor(agent, '/login');
    const res = await agent.post('/login').type('form').send({ _csrf: token, login: '', password: '' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('f-login-error');
    expect(res.text).toContain('f-password-error');
  });

  it('refuses a deactivated account with the same message', async () => {
    const org = await createOrg();
    const left = await createStaff(org._id, { roles: ['marketer'], status: 'left' });
    const agent = request.agent(app);
    const token = await csrfFor(agent, '/login');
    const res = await agent.post('/login').type('form').send({ _csrf: token, login: left.login, password: PASSWORD });
    expect(res.status).toBe(401);
  });

  it('logs out: the session no longer opens pages', async () => {
    const { clerk } = await createOrgWithTeam();
    const agent = await signIn(app, clerk.login, PASSWORD);
    const token = await csrfFor(agent, '/console/clerk');
    await agent.post('/logout').type('form').send({ _csrf: token }).expect(303).expect('location', '/login');
    await agent.get('/console/clerk').expect(303);
  });
});

describe('login throttling', () => {
  it('blocks a login after repeated failures with 429 and a retry time, even for the right password, across app instances', async () => {
    const { marketer } = await createOrgWithTeam();
    const agent = request.agent(app);
    const token = await csrfFor(agent, '/login');
    for (let i = 0; i < 5; i++) {
      await agent
        .post('/login')
        .type('form')
        .send({ _csrf: token, login: marketer.login, password: `wrong-${i}` })
        .expect(401);
    }
    const blocked = await agent.post('/login').type('form').send({ _csrf: token, login: marketer.login, password: PASSWORD });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.text).toContain('登录失败次数过多');

    // The counter lives in MongoDB: a freshly built app (a restart, or another process) still refuses.
    const { app: restarted } = await buildTestApp();
    const other = request.agent(restarted);
    const otherToken = await csrfFor(other, '/login');
    await other.post('/login').type('form').send({ _csrf: otherToken, login: marketer.login, password: PASSWORD }).expect(429);
    const stored = await mongoose.connection.db!.collection('login_failures').findOne({ key: `login:${marketer.login}` });
    expect(stored?.points).toBeGreaterThanOrEqual(5);

    // The API token endpoint shares the throttle.
    const api = await request(app).post('/api/v1/tokens').send({ login: marketer.login, password: PASSWORD, name: 'x' });
    expect(api.status).toBe(429);
    expect(api.body.error.code).toBe('login_throttled');
    expect(Number(api.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('does not block other logins because one login is blocked', async () => {
    const { marketer, clerk } = await createOrgWithTeam();
    const agent = request.agent(app);
    const token = await csrfFor(agent, '/login');
    for (let i = 0; i < 6; i++) {
      await agent.post('/login').type('form').send({ _csrf: token, login: marketer.login, password: 'wrong-password' });
    }
    await signIn(app, clerk.login, PASSWORD);
  });
});

describe('a redirect after a change to the session', () => {
  // The store is made slow, as a loaded database is: a browser follows a redirect the moment it has the headers,
  // so the page it lands on must find what the request before it put in the session.
  const slowSaves = () => {
    const save = MongoStore.prototype.set;
    return jest.spyOn(MongoStore.prototype, 'set').mockImplementation(function (this: MongoStore, ...args: Parameters<MongoStore['set']>) {
      setTimeout(() => void save.apply(this, args), 300);
    } as MongoStore['set']);
  };

  const cookieHeader = (cookies: Map<string, string>) => [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  const keepCookies = (cookies: Map<string, string>, lines: string[]) => {
    for (const line of lines) {
      const pair = line.split(';')[0]!;
      cookies.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    }
  };

  /** One request that answers as soon as the headers arrive, as a browser acts on a redirect. */
  function headersOf(base: string, method: string, path: string, cookies: Map<string, string>, form?: Record<string, string>) {
    const body = form ? new URLSearchParams(form).toString() : undefined;
    return new Promise<{ status: number; location?: string }>((resolve, reject) => {
      const req = http.request(`${base}${path}`, {
        method,
        headers: { cookie: cookieHeader(cookies), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      });
      req.on('response', (res) => {
        keepCookies(cookies, res.headers['set-cookie'] ?? []);
        resolve({ status: res.statusCode!, location: res.headers.location });
        res.resume();
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  async function pageText(base: string, path: string, cookies: Map<string, string>): Promise<{ status: number; text: string }> {
    const res = await fetch(`${base}${path}`, { headers: { cookie: cookieHeader(cookies) }, redirect: 'manual' });
    keepCookies(cookies, res.headers.getSetCookie());
    return { status: res.status, text: await res.text() };
  }

  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('lands signed in, and shows the message the form left, however slowly the session is saved', async () => {
    const { clerk } = await createOrgWithTeam();
    const cookies = new Map<string, string>();
    const loginPage = await pageText(base, '/login', cookies);
    expect(loginPage.status).toBe(200);
    const loginToken = csrfTokenIn(loginPage.text);

    const saves = slowSaves();
    try {
      const signedIn = await headersOf(base, 'POST', '/login', cookies, { _csrf: loginToken, login: clerk.login, password: PASSWORD });
      expect(signedIn).toMatchObject({ status: 303, location: '/console/clerk' });
      const landed = await pageText(base, '/profile', cookies);
      expect(landed.status).toBe(200);
      expect(landed.text).toContain(clerk.realName);

      const saved = await headersOf(base, 'POST', '/profile/dnd', cookies, { _csrf: csrfTokenIn(landed.text), dndStart: '22:00', dndEnd: '07:30', email: '' });
      expect(saved).toMatchObject({ status: 303, location: '/profile' });
      const after = await pageText(base, '/profile', cookies);
      expect(after.text).toContain('免打扰时段已保存。');
      expect(saves).toHaveBeenCalled();
    } finally {
      saves.mockRestore();
    }
  });
});
