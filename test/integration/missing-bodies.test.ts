import { describe, expect, it, beforeAll } from '@jest/globals';
import request from 'supertest';
import type { Express } from 'express';
import { useTestDatabase } from '../setup/db.js';
import { buildTestApp, csrfFor, signIn } from '../setup/app.js';
import { createOrgWithTeam, createStaff, createStore, PASSWORD } from '../factories.js';

useTestDatabase();

let app: Express;
beforeAll(async () => {
  ({ app } = await buildTestApp());
});

describe('POST /login without a form body', () => {
  it('shows the login page again with 400 and a message for each field', async () => {
    const browser = request.agent(app);
    const token = await csrfFor(browser, '/login');
    // Nothing but the CSRF header: no Content-Type, so no body parser runs.
    const res = await browser.post('/login').set('X-CSRF-Token', token);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('action="/login"');
    expect(res.text).toContain('必填');
    expect(res.text).toContain('请检查标出的字段');
  });

  it('answers a JSON client with 400 and the fields in JSON, and an empty JSON body the same way', async () => {
    const browser = request.agent(app);
    const token = await csrfFor(browser, '/login');
    for (const send of [(r: request.Test) => r, (r: request.Test) => r.send({})]) {
      const res = await send(browser.post('/login').set('X-CSRF-Token', token).set('Accept', 'application/json'));
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'invalid_input', details: { fields: { login: ['required'], password: ['required'] } } });
    }
    // Wrong credentials in JSON are a JSON 401, not the HTML page.
    const { clerk } = await createOrgWithTeam();
    const wrong = await browser
      .post('/login')
      .set('X-CSRF-Token', token)
      .set('Accept', 'application/json')
      .send({ login: clerk.login, password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('unauthenticated');
  });
});

type Mounted = { method: string; path: string };

/** Every route the app mounts, with its full path (the API router sits under /api/v1). */
function mountedRoutes(express: Express): Mounted[] {
  type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle: { stack?: Layer[] }; match(path: string): boolean };
  const found: Mounted[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods)) found.push({ method, path: prefix + layer.route.path });
      } else if (layer.handle.stack) {
        walk(layer.handle.stack, layer.match('/api/v1') && !layer.match('/not-the-api') ? '/api/v1' : prefix);
      }
    }
  };
  walk((express as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return found;
}

describe('requests without a body, on every route that takes one', () => {
  it('are answered as bad or refused input, never as a server error', async () => {
    const { org, store } = await createOrgWithTeam();
    // Every role, so every gate lets the request through to the handler.
    const everyone = await createStaff(org._id, { roles: ['admin', 'manager', 'clerk', 'agent', 'marketer'], storeId: store._id });
    await createStore(org._id);
    const browser = await signIn(app, everyone.login, PASSWORD);
    const token = await csrfFor(browser, '/profile');
    const api = (await request(app).post('/api/v1/tokens').send({ login: everyone.login, password: PASSWORD, name: 'sweep' }).expect(201)).body.token as string;

    const writes = mountedRoutes(app).filter((r) => ['post', 'put', 'patch', 'delete'].includes(r.method));
    expect(writes.find((r) => r.path === '/login')).toBeDefined();
    expect(writes.some((r) => r.path.startsWith('/api/v1/'))).toBe(true);
    // Signing out last, so the sweep keeps its session.
    writes.sort((a, b) => Number(a.path === '/logout') - Number(b.path === '/logout'));
    const failures: string[] = [];
    for (const { method, path } of writes) {
      const url = path.replace(/:(\w+)/g, (_m, name: string) => (/id$/i.test(name) ? String(org._id) : 'no-such-key'));
      const req = path.startsWith('/api/')
        ? request(app)[method as 'post'](url).set('Authorization', `Bearer ${api}`)
        : browser[method as 'post'](url).set('X-CSRF-Token', token);
      const res = await req;
      // 503 is a deliberate answer (no job scheduler in this process); 500 is the crash this sweep looks for.
      if (res.status === 500) failures.push(`${method.toUpperCase()} ${path}: ${res.status}`);
    }
    expect(failures).toEqual([]);
  });
});
