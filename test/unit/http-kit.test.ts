import { beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express, { Router, type Express } from 'express';
import request from 'supertest';
import { z } from 'zod';
import { endpoint } from '../../server/http/endpoint.js';
import { api, form, page } from '../../server/http/surfaces.js';
import { mount, route, type RouteSpec } from '../../server/http/gate.js';
import { errorHandler } from '../../server/middlewares/errors.js';
import { initI18n } from '../../server/i18n/index.js';
import { ValidationError } from '../../server/errors.js';
import type { Role } from '../../server/models/staff.js';

/**
 * The transport kit on its own, without a database: a fake sign-in (the x-roles header), a session object, and a view
 * engine that answers with the model as JSON, so what a page would show can be read back.
 */

// A permission agents lack, so an agent stands for a role the matrix refuses.
const item = endpoint({
  access: { permission: 'customer.write' },
  input: { params: z.object({ id: z.coerce.number().int() }), query: z.object({ full: z.enum(['yes', 'no']).default('no') }) },
  run: (_ctx, { params, query }) => ({ id: params.id, full: query.full === 'yes' }),
});

const rename = endpoint({
  access: { permission: 'customer.write' },
  input: { body: z.object({ name: z.string().trim().min(2, 'too_short'), note: z.string().optional() }) },
  run: (_ctx, { body }) => {
    if (body.name === 'taken') throw new ValidationError({ name: ['duplicate'] });
    return { id: 7, name: body.name };
  },
});

const share = endpoint({
  access: 'signedIn',
  input: { body: z.object({ staffId: z.string().min(1) }) },
  run: (_ctx, { body }) => body.staffId,
});

const flashes: unknown[][] = [];

function buildApp(surface: 'api' | 'page', specs: RouteSpec[]): Express {
  const app = express();
  const views = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-views-'));
  fs.writeFileSync(path.join(views, 'form.json'), '');
  fs.writeFileSync(path.join(views, 'item.json'), '');
  app.engine('json', (_file, model, done) => done(null, JSON.stringify(model)));
  app.set('view engine', 'json');
  app.set('views', views);
  app.use(express.json(), express.urlencoded({ extended: false }));
  app.use((req, _res, next) => {
    req.locale = 'en';
    req.isApi = surface === 'api';
    const session = { flash: [] as unknown[] };
    (req as unknown as { session: unknown }).session = session;
    flashes.push(session.flash);
    const roles = req.get('x-roles');
    if (roles !== undefined) req.ctx = { orgId: 'o1', actor: { id: 'me', orgId: 'o1', roles: roles.split(',').filter(Boolean) as Role[], storeId: 's1' } };
    next();
  });
  app.use(mount(Router(), surface, specs));
  app.use(errorHandler);
  return app;
}

beforeAll(async () => {
  await initI18n();
});

describe('endpoint(): fail closed', () => {
  it('cannot be built without an access entry, or with a permission the matrix does not list', () => {
    expect(() => endpoint({ run: () => 1 } as never)).toThrow(/access/);
    expect(() => endpoint({ access: { permission: 'customer.everything' }, run: () => 1 } as never)).toThrow(/access/);
    expect(() => endpoint({ access: 'everyone', run: () => 1 } as never)).toThrow(/access/);
  });

  it('mounts nothing that endpoint() did not build, and mount() refuses a route without access', () => {
    const handMade = { access: 'public', stepUp: false, input: {}, run: async () => 1 };
    expect(() => api.get('/x', handMade as never)).toThrow(/not a declared endpoint/);
    expect(() => page.get('/x', handMade as never, { view: 'item', model: () => ({}) })).toThrow(/not a declared endpoint/);
    expect(() => form.post('/x', handMade as never, { redirect: '/' })).toThrow(/not a declared endpoint/);
    expect(() => mount(Router(), 'api', [{ method: 'get', path: '/x', handler: () => undefined } as never])).toThrow(/no access entry/);
    // A hand-made route with an access entry of its own, as routes were written before endpoints: refused too.
    const handRoute = route({ method: 'get', path: '/x', access: { public: true }, handler: (_req, res) => res.json({}) });
    expect(() => mount(Router(), 'api', [handRoute])).toThrow(/not built over a declared endpoint/);
    expect(() => mount(Router(), 'api', [api.get('/x', item)])).not.toThrow();
  });
});

describe('the API surface', () => {
  let app: Express;
  beforeAll(() => {
    app = buildApp('api', [api.get('/items/:id', item, { present: (r) => ({ item: r }) }), api.post('/rename', rename, { status: 201 })]);
  });

  it('checks access from the matrix before anything else', async () => {
    await request(app).get('/items/3').expect(401);
    const refused = await request(app).get('/items/3').set('x-roles', 'agent').expect(403);
    expect(refused.body.error.code).toBe('forbidden');
  });

  it('hands run a typed input and answers with the presented result', async () => {
    const res = await request(app).get('/items/3?full=yes').set('x-roles', 'clerk').expect(200);
    expect(res.body).toEqual({ item: { id: 3, full: true } });
    await request(app).post('/rename').set('x-roles', 'clerk').send({ name: 'Ann' }).expect(201, { id: 7, name: 'Ann' });
  });

  it('answers bad input with 400 and the field details, through the one error handler', async () => {
    const res = await request(app).post('/rename').set('x-roles', 'clerk').send({ name: 'A' }).expect(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_input', details: { fields: { name: ['too_short'] } } });
    const address = await request(app).get('/items/abc').set('x-roles', 'clerk').expect(400);
    expect(address.body.error.details.fields).toHaveProperty('id');
  });
});

describe('the page and form surfaces', () => {
  let app: Express;
  beforeAll(() => {
    app = buildApp('page', [
      page.get('/items/:id', item, { view: 'item', model: (r, { t }) => ({ title: t('customers.title'), ...r }) }),
      form.post('/rename', rename, {
        view: 'form',
        model: ({ error }) => ({ title: 'Rename', failed: error instanceof Error }),
        values: (body) => ({ shaped: String(body.name ?? '').toUpperCase() }),
        secretFields: ['note'],
        flash: (result) => ({ key: 'customers.created', params: { name: result.name } }),
        redirect: (result) => `/items/${result.id}`,
      }),
      form.post('/share', share, { invalid: { flash: 'share.chooseColleague', redirect: '/back' }, redirect: '/done' }),
    ]);
  });

  it('renders the view with the model built from the result', async () => {
    const res = await request(app).get('/items/4').set('x-roles', 'clerk').expect(200);
    expect(JSON.parse(res.text)).toMatchObject({ id: 4, full: false, title: 'Customers' });
  });

  it('sends a signed-out visitor of a page to sign in', async () => {
    const res = await request(app).get('/items/4').expect(303);
    expect(res.headers.location).toBe('/login?next=%2Fitems%2F4');
  });

  it('redirects after a valid form, with its flash', async () => {
    flashes.length = 0;
    const res = await request(app).post('/rename').set('x-roles', 'clerk').type('form').send({ name: 'Bea' }).expect(303);
    expect(res.headers.location).toBe('/items/7');
    expect(flashes.flat()).toEqual([{ kind: 'success', text: expect.stringContaining('Bea') }]);
  });

  it('shows a form with bad input again, with its values (less secrets) and a message per field', async () => {
    const res = await request(app).post('/rename').set('x-roles', 'clerk').type('form').send({ name: 'B', note: 'secret' }).expect(400);
    const model = JSON.parse(res.text);
    expect(model).toMatchObject({ title: 'Rename', failed: true, values: { name: 'B', shaped: 'B' }, errors: { name: expect.any(String) } });
    expect(model.values).not.toHaveProperty('note');
    expect(model.formError).toEqual(expect.any(String));
  });

  it('shows the form again for a refusal of the service too', async () => {
    const res = await request(app).post('/rename').set('x-roles', 'clerk').type('form').send({ name: 'taken' }).expect(400);
    expect(JSON.parse(res.text).errors).toHaveProperty('name');
  });

  it('sends bad input back with a message where the form is not shown again', async () => {
    flashes.length = 0;
    const res = await request(app).post('/share').set('x-roles', 'agent').type('form').send({}).expect(303);
    expect(res.headers.location).toBe('/back');
    expect(flashes.flat()).toEqual([{ kind: 'danger', text: expect.any(String) }]);
    await request(app).post('/share').set('x-roles', 'agent').type('form').send({ staffId: 'x' }).expect(303).expect('location', '/done');
  });
});

describe('what the kit hands run and a view besides the input', () => {
  const scoped = endpoint({ access: 'public', run: (_ctx, _input, { ip, agenda }) => ({ ip, scheduler: agenda ? 'running' : 'absent' }) });
  const named = endpoint({ access: 'signedIn', input: { body: z.object({ name: z.string().min(2, 'too_short') }) }, run: (_ctx, { body }) => body.name });
  let app: Express;
  beforeAll(() => {
    app = buildApp('page', [
      page.get('/scope', scoped, { view: 'item', status: (r) => (r.scheduler === 'absent' ? 503 : 200), model: (r, { locale }) => ({ ...r, locale }) }),
      form.post('/again', named, {
        view: 'form',
        model: ({ body, locale }) => ({ typed: body.name, locale, stored: { name: 'Stored' } }),
        // A second form on the page shows stored values, not this post's.
        values: (_posted, model) => ({ ...(model.stored as object) }),
        redirect: '/done',
      }),
    ]);
  });

  it("gives run the caller's address and the app's job scheduler, and lets a page take its status from the result", async () => {
    const absent = await request(app).get('/scope').expect(503);
    expect(JSON.parse(absent.text)).toMatchObject({ ip: expect.stringContaining('127.0.0.1'), scheduler: 'absent', locale: 'en' });
    app.locals.agenda = {};
    expect(JSON.parse((await request(app).get('/scope').expect(200)).text)).toMatchObject({ scheduler: 'running' });
  });

  it('builds the model of a form shown again from what was posted, and may lay values from that model over the post', async () => {
    const res = await request(app).post('/again').set('x-roles', 'clerk').type('form').send({ name: 'B' }).expect(400);
    expect(JSON.parse(res.text)).toMatchObject({ typed: 'B', locale: 'en', values: { name: 'Stored' } });
  });
});
