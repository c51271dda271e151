import { describe, expect, it, beforeAll, afterAll } from '@jest/globals';
import request from 'supertest';
import { io as connectSocket } from 'socket.io-client';
import { mongoose } from '../../server/db/connect.js';
import '../../server/models/index.js';
import { startTestServer } from '../setup/server.js';
import { connectThroughProxy, type startTcpProxy } from '../setup/tcp-proxy.js';
import { bearerFor, signIn, type Agent } from '../setup/app.js';
import { createOrgWithTeam, PASSWORD } from '../factories.js';
import { connectAgent, connectCustomer, createChannel, ok, request as ask, type AckResult } from '../setup/chat.js';
import { startVisitor } from '../../server/services/chat/visitors.js';
import { i18n } from '../../server/i18n/index.js';

// The app reaches the database through a proxy this file cuts: a real outage, not a mock.
const LIMIT_MS = 1500;
let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
let server: Awaited<ReturnType<typeof startTestServer>>;

beforeAll(async () => {
  proxy = await connectThroughProxy();
  server = await startTestServer({ env: { REQUEST_TIME_LIMIT_MS: String(LIMIT_MS) } });
});

afterAll(async () => {
  await server?.close();
  await mongoose.connection.dropDatabase().catch(() => undefined);
  await mongoose.disconnect();
  await proxy.close();
});

/** What a client must never see: the database's address, a driver's words, a stack. */
const infrastructure = /127\.0\.0\.1|localhost|ECONNREFUSED|ETIMEDOUT|Mongo|mongodb:|:\d{4,5}\b|\.ts:\d+|at [\w.<>]+ \(/;

async function until(check: () => Promise<boolean>, deadlineMs: number): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = Date.now();
  const result = await work();
  return { result, ms: Date.now() - started };
}

/** An organisation reached through every surface while the database answers: API token, signed-in browser, agent console, customer chat. */
async function openEverySurface() {
  const { org, admin, agent } = await createOrgWithTeam();
  const channel = await createChannel(org._id, { routing: 'manual' });
  const bearer = await bearerFor(server.baseUrl, admin.login, PASSWORD);
  const browser: Agent = await signIn(server.baseUrl, admin.login, PASSWORD);
  const console = await connectAgent(server.baseUrl, agent.login);
  const customer = await connectCustomer(server.baseUrl, channel.key);
  return { org, channel, bearer, browser, console, customer };
}

describe('database outages', () => {
  it('answers 503 with Retry-After within the time limit (API, pages, sockets, /readyz) while the database is gone, never naming it, and serves again once it is back', async () => {
    const { channel, bearer, browser, console, customer } = await openEverySurface();
    // A visitor token made while the database answers, to connect with during the outage.
    const later = await startVisitor(channel.key, { name: '访客', phone: '' });
    await request(server.baseUrl).get('/api/v1/customers').set(bearer).expect(200);
    await browser.get('/customers').expect(200);
    await ok(customer.socket, 'message:send', { clientId: 'before', text: '在吗？' });
    try {
      await proxy.cut();

      // The API: a 503 in the error shape, with Retry-After, well before the database's own timeouts (5-10 s).
      const api = await timed(() => request(server.baseUrl).get('/api/v1/customers').set(bearer));
      expect(api.result.status).toBe(503);
      expect(['database_unavailable', 'timeout']).toContain(api.result.body.error.code);
      expect(Number(api.result.headers['retry-after'])).toBeGreaterThan(0);
      expect(api.ms).toBeLessThan(LIMIT_MS + 1500);
      expect(api.result.text).not.toMatch(infrastructure);

      // A page: the friendly page in the browser's language, 503 with Retry-After.
      const page = await timed(() => browser.get('/customers').set('Accept', 'text/html'));
      expect(page.result.status).toBe(503);
      expect(page.result.headers['retry-after']).toBeDefined();
      expect(page.ms).toBeLessThan(LIMIT_MS + 1500);
      const code = /<code>(\w+)<\/code>/.exec(page.result.text)?.[1] ?? '';
      expect(['database_unavailable', 'timeout']).toContain(code);
      expect(page.result.text).toContain(i18n.t(`errors.${code}`, { lng: 'zh-CN' }));
      expect(page.result.text).toContain(i18n.t('errors.tryAgain', { lng: 'zh-CN' }));
      expect(page.result.text).not.toMatch(infrastructure);

      // Sockets: an event is answered promptly with the code and our own words only.
      const sent = await timed(() => ask(customer.socket, 'message:send', { clientId: 'during', text: '还在吗？' }));
      expect(sent.ms).toBeLessThan(LIMIT_MS + 1500);
      expect(sent.result.ok).toBe(false);
      const failure = (sent.result as Extract<AckResult, { ok: false }>).error;
      expect(failure.code).toBe('database_unavailable');
      expect(failure.localizedMessage).toBe(i18n.t('errors.database_unavailable', { lng: 'zh-CN' }));
      expect(JSON.stringify(sent.result)).not.toMatch(infrastructure);
      const overview = await timed(() => ask(console.socket, 'chat:overview', {}));
      expect(overview.ms).toBeLessThan(LIMIT_MS + 1500);
      expect(overview.result).toMatchObject({ ok: false, error: { code: 'database_unavailable' } });
      expect(JSON.stringify(overview.result)).not.toMatch(infrastructure);

      // A customer connecting now is refused with the same code, not the driver's error.
      const refused = connectSocket(`${server.baseUrl}/customer`, {
        auth: { token: later.token },
        transports: ['websocket'],
        forceNew: true,
        reconnection: false,
      });
      const connectError = await new Promise<Error & { data?: { code: string; message: string } }>((resolve, reject) => {
        refused.once('connect_error', resolve);
        refused.once('connect', () => reject(new Error('connected during the outage')));
      });
      refused.close();
      expect(connectError.message).toBe('database_unavailable');
      expect(connectError.data).toMatchObject({ code: 'database_unavailable', message: i18n.t('errors.database_unavailable', { lng: 'zh-CN' }) });
      expect(JSON.stringify({ message: connectError.message, data: connectError.data })).not.toMatch(infrastructure);

      const ready = await timed(() => request(server.baseUrl).get('/readyz'));
      expect(ready.result.status).toBe(503);
      expect(ready.ms).toBeLessThan(3000);
    } finally {
      await proxy.restore();
    }

    // Back: everything answers again without a restart, and what was sent during the outage can be sent again.
    expect(await until(async () => (await request(server.baseUrl).get('/readyz')).status === 200, 20_000)).toBe(true);
    expect(await until(async () => (await request(server.baseUrl).get('/api/v1/customers').set(bearer)).status === 200, 10_000)).toBe(true);
    await browser.get('/customers').expect(200);
    const resent = await ok<{ message: { text: string } }>(customer.socket, 'message:send', { clientId: 'during', text: '还在吗？' });
    expect(resent.message.text).toBe('还在吗？');
    await ok(console.socket, 'chat:overview', {});
    const again = await connectCustomer(server.baseUrl, channel.key);
    again.socket.close();
    customer.socket.close();
    console.socket.close();
  }, 60_000);

  it('answers within the time limit while the database is frozen (connections open, no answer), and serves again once it answers', async () => {
    const { bearer, browser, console, customer } = await openEverySurface();
    await ok(customer.socket, 'message:send', { clientId: 'before', text: '在吗？' });
    const unavailable = ['timeout', 'database_unavailable'];
    try {
      proxy.freeze();
      // The database would hold these for as long as it stays frozen; the server answers at its limit.
      const [api, page, sent, overview, ready] = await Promise.all([
        timed(() => request(server.baseUrl).get('/api/v1/customers').set(bearer)),
        timed(() => browser.get('/customers').set('Accept', 'text/html')),
        timed(() => ask(customer.socket, 'message:send', { clientId: 'frozen', text: '还在吗？' })),
        timed(() => ask(console.socket, 'chat:overview', {})),
        timed(() => request(server.baseUrl).get('/readyz')),
      ]);
      expect(api.result.status).toBe(503);
      expect(unavailable).toContain(api.result.body.error.code);
      expect(Number(api.result.headers['retry-after'])).toBeGreaterThan(0);
      expect(page.result.status).toBe(503);
      expect(page.result.text).toContain(i18n.t('errors.tryAgain', { lng: 'zh-CN' }));
      for (const ack of [sent.result, overview.result]) {
        expect(ack.ok).toBe(false);
        expect(unavailable).toContain((ack as Extract<AckResult, { ok: false }>).error.code);
        expect(JSON.stringify(ack)).not.toMatch(infrastructure);
      }
      for (const answer of [api, page, sent, overview]) expect(answer.ms).toBeLessThan(LIMIT_MS + 1500);
      expect(ready.result.status).toBe(503);
      expect(ready.ms).toBeLessThan(3000);
    } finally {
      proxy.thaw();
    }

    // The work held by the freeze finishes now; its late answers go nowhere, and the next requests are served.
    expect(await until(async () => (await request(server.baseUrl).get('/readyz')).status === 200, 20_000)).toBe(true);
    await request(server.baseUrl).get('/api/v1/customers').set(bearer).expect(200);
    await browser.get('/customers').expect(200);
    // Sent again with its client id: stored once, whether or not the frozen copy got in.
    const resent = await ok<{ message: { id: string; text: string } }>(customer.socket, 'message:send', { clientId: 'frozen', text: '还在吗？' });
    const once = await ok<{ message: { id: string } }>(customer.socket, 'message:send', { clientId: 'frozen', text: '还在吗？' });
    expect(once.message.id).toBe(resent.message.id);
    await ok(console.socket, 'chat:overview', {});
    customer.socket.close();
    console.socket.close();
  }, 60_000);
});
