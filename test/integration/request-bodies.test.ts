import { Writable } from 'node:stream';
import zlib from 'node:zlib';
import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Express } from 'express';
import request from 'supertest';
import { pino } from 'pino';
import { useTestDatabase } from '../setup/db.js';
import { createChannel } from '../setup/chat.js';
import { bearerFor } from '../setup/app.js';
import { createApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { createOrgWithTeam, PASSWORD } from '../factories.js';
import { Store } from '../../server/models/store.js';
import { ApiToken } from '../../server/models/api-token.js';

useTestDatabase();

// Bodies the server cannot read are the sender's to fix: a 4xx with a stable code, never a 500 in the error log.
let app: Express;
let logged: { level: number; msg?: string }[] = [];
beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logged.push(JSON.parse(line) as { level: number; msg?: string });
      done();
    },
  });
  ({ app } = await createApp(loadConfig({ NODE_ENV: 'test' }), pino({ level: 'trace' }, sink)));
});
beforeEach(() => {
  logged = [];
});
const ERROR_LEVEL = 50;
/** The bytes as they are: the test client would otherwise serialise a Buffer as JSON. */
const asIs = (body: unknown) => body as string;
const errorsLogged = () => logged.filter((line) => line.level >= ERROR_LEVEL);

/** The JSON routes of each kind: public ones (no token) and staff ones (a bearer token). */
async function jsonRoutes() {
  const team = await createOrgWithTeam();
  const channel = await createChannel(team.org._id);
  const auth = await bearerFor(app, team.admin.login, PASSWORD);
  const routes: { name: string; method: 'post' | 'patch'; path: string; headers: Record<string, string>; body: object }[] = [
    { name: 'public: API token', method: 'post', path: '/api/v1/tokens', headers: {}, body: { login: team.clerk.login, password: PASSWORD, name: 'x' } },
    { name: 'public: chat visitor', method: 'post', path: `/api/v1/chat/channels/${channel.key}/visitors`, headers: {}, body: { name: '访客' } },
    { name: 'staff: new store', method: 'post', path: '/api/v1/stores', headers: auth, body: { name: '新店' } },
    { name: 'staff: settings', method: 'patch', path: '/api/v1/org/settings', headers: auth, body: { name: '改名', confirmPassword: PASSWORD } },
  ];
  return { team, routes };
}

describe('request bodies the server cannot read', () => {
  it('answers JSON in an unsupported charset with 415 unsupported_charset on public and staff routes, writing and logging nothing', async () => {
    const { team, routes } = await jsonRoutes();
    const tokensBefore = await ApiToken.countDocuments({ orgId: team.org._id });
    for (const route of routes) {
      const res = await request(app)
        [route.method](route.path)
        .set(route.headers)
        .set('Content-Type', 'application/json; charset=latin1')
        .send(JSON.stringify(route.body));
      expect([route.name, res.status, res.body.error?.code]).toEqual([route.name, 415, 'unsupported_charset']);
      expect(res.body.error.details).toEqual({ charset: 'latin1' });
      expect(res.body.error.message).toEqual(expect.any(String));
    }
    expect(await ApiToken.countDocuments({ orgId: team.org._id })).toBe(tokensBefore);
    expect(await Store.countDocuments({ orgId: team.org._id, name: '新店' })).toBe(0);
    expect(errorsLogged()).toEqual([]);
    // UTF-8 stated outright is what JSON is, and works.
    const ok = await request(app).post('/api/v1/tokens').set('Content-Type', 'application/json; charset=utf-8').send(JSON.stringify(routes[0]!.body));
    expect(ok.status).toBe(201);
  });

  it('answers a form in an unsupported charset with a 415 page for browsers and JSON for clients that ask for it', async () => {
    const page = await request(app)
      .post('/login')
      .set('Accept', 'text/html')
      .set('Content-Type', 'application/x-www-form-urlencoded; charset=latin1')
      .send('login=a&password=b');
    expect(page.status).toBe(415);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('unsupported_charset');
    expect(page.text).toContain('UTF-8');
    const english = await request(app)
      .post('/login?lang=en')
      .set('Accept', 'text/html')
      .set('Content-Type', 'application/x-www-form-urlencoded; charset=latin1')
      .send('login=a');
    expect(english.status).toBe(415);
    expect(english.text).toContain('UTF-8');

    const json = await request(app)
      .post('/login')
      .set('Accept', 'application/json')
      .set('Content-Type', 'application/x-www-form-urlencoded; charset=latin1')
      .send('login=a');
    expect(json.status).toBe(415);
    expect(json.body.error).toMatchObject({ code: 'unsupported_charset', details: { charset: 'latin1' } });
    expect(errorsLogged()).toEqual([]);
  });

  it('maps the other unreadable bodies to clear 4xx answers with codes, on public and staff routes, without logging errors', async () => {
    const { routes } = await jsonRoutes();
    for (const route of routes) {
      const send = () => request(app)[route.method](route.path).set(route.headers);
      const tooLarge = await send().send({ ...route.body, pad: 'x'.repeat(200_000) });
      expect([route.name, tooLarge.status, tooLarge.body.error?.code]).toEqual([route.name, 413, 'payload_too_large']);
      expect(tooLarge.body.error.details).toEqual({ limitBytes: 102_400 });

      const malformed = await send().set('Content-Type', 'application/json').send('{"name": ');
      expect([route.name, malformed.status, malformed.body.error?.code]).toEqual([route.name, 400, 'invalid_input']);
      expect(malformed.body.error.details).toEqual({ fields: { _: ['malformed_body'] } });

      const encoded = await send().set('Content-Type', 'application/json').set('Content-Encoding', 'compress').send(JSON.stringify(route.body));
      expect([route.name, encoded.status, encoded.body.error?.code]).toEqual([route.name, 415, 'unsupported_encoding']);
      expect(encoded.body.error.details).toEqual({ encoding: 'compress' });

      // Declared as gzip but not gzip: the body cannot be read.
      const corrupt = await send().set('Content-Type', 'application/json').set('Content-Encoding', 'gzip').serialize(asIs).send(Buffer.from('not gzip at all'));
      expect([route.name, corrupt.status, corrupt.body.error?.code]).toEqual([route.name, 400, 'unreadable_body']);
    }
    // A supported encoding is read as usual.
    const gzipped = await request(app)
      .post('/api/v1/tokens')
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip')
      .serialize(asIs)
      .send(zlib.gzipSync(JSON.stringify(routes[0]!.body)));
    expect(gzipped.status).toBe(201);
    expect(errorsLogged()).toEqual([]);
  });

  it('answers forms too large or with too many fields with 413 pages, and a bad escape in the address with 400, without logging errors', async () => {
    const large = await request(app)
      .post('/login')
      .set('Accept', 'text/html')
      .type('form')
      .send(`login=${'x'.repeat(200_000)}`);
    expect(large.status).toBe(413);
    expect(large.text).toContain('payload_too_large');

    const fields = await request(app)
      .post('/login')
      .set('Accept', 'text/html')
      .type('form')
      .send(Array.from({ length: 1500 }, (_, i) => `f${i}=1`).join('&'));
    expect(fields.status).toBe(413);
    expect(fields.text).toContain('payload_too_large');
    const fieldsJson = await request(app)
      .post('/login')
      .set('Accept', 'application/json')
      .type('form')
      .send(Array.from({ length: 1500 }, (_, i) => `f${i}=1`).join('&'));
    expect(fieldsJson.body.error).toMatchObject({ code: 'payload_too_large', details: { parameterLimit: 1000 } });

    const escape = await request(app).get('/g/%E0%A4%A').set('Accept', 'text/html');
    expect(escape.status).toBe(400);
    expect(escape.text).toContain('bad_request');
    const escapeApi = await request(app).get('/api/v1/groups/%E0%A4%A');
    expect(escapeApi.status).toBe(400);
    expect(escapeApi.body.error.code).toBe('bad_request');
    expect(errorsLogged()).toEqual([]);
  });
});
