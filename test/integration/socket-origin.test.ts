import { describe, expect, it, beforeAll } from '@jest/globals';
import request from 'supertest';
import { io as connectSocket } from 'socket.io-client';
import { useTestDatabase } from '../setup/db.js';
import { startTestServer } from '../setup/server.js';
import { sessionCookieOf, signIn } from '../setup/app.js';
import { createOrgWithTeam, PASSWORD } from '../factories.js';
import { createChannel } from '../setup/chat.js';
import { startVisitor } from '../../server/services/chat/visitors.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;
let server: Server;
let configured: Server;
const APP_URL = 'https://crm.example.com';
useTestDatabase({ beforeClose: async () => Promise.all([server?.close(), configured?.close()]) });
beforeAll(async () => {
  [server, configured] = await Promise.all([startTestServer(), startTestServer({ appUrl: APP_URL })]);
});

/** 'connected', or why the connection was refused. */
function tryConnect(url: string, opts: { origin?: string; cookie?: string; token?: string }): Promise<string> {
  const headers: Record<string, string> = {};
  if (opts.origin) headers.origin = opts.origin;
  if (opts.cookie) headers.cookie = opts.cookie;
  const socket = connectSocket(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    extraHeaders: headers,
    ...(opts.token ? { auth: { token: opts.token } } : {}),
  });
  return new Promise((resolve) => {
    socket.once('connect', () => {
      socket.close();
      resolve('connected');
    });
    socket.once('connect_error', (err) => {
      socket.close();
      resolve(err.message);
    });
  });
}

/** A signed-in agent's cookie and a visitor's token on this server's organisation. */
async function credentials(baseUrl: string) {
  const { org, agent } = await createOrgWithTeam();
  const browser = await signIn(baseUrl, agent.login, PASSWORD);
  const channel = await createChannel(org._id);
  const { token } = await startVisitor(channel.key, { name: '访客', phone: '' });
  return { cookie: sessionCookieOf(browser), token };
}

describe('sockets open only from our own pages', () => {
  it('staff sockets: a foreign Origin is refused, our own origin and clients that send none are let in', async () => {
    const { cookie } = await credentials(server.baseUrl);
    expect(await tryConnect(server.baseUrl, { cookie, origin: 'https://evil.example' })).not.toBe('connected');
    expect(await tryConnect(server.baseUrl, { cookie, origin: 'null' })).not.toBe('connected');
    expect(await tryConnect(server.baseUrl, { cookie, origin: server.baseUrl })).toBe('connected');
    expect(await tryConnect(server.baseUrl, { cookie })).toBe('connected');
  });

  it('customer sockets (/customer) are held to the same rule', async () => {
    const { token } = await credentials(server.baseUrl);
    expect(await tryConnect(`${server.baseUrl}/customer`, { token, origin: 'https://evil.example' })).not.toBe('connected');
    expect(await tryConnect(`${server.baseUrl}/customer`, { token, origin: server.baseUrl })).toBe('connected');
    expect(await tryConnect(`${server.baseUrl}/customer`, { token })).toBe('connected');
  });

  it('refuses a foreign page’s handshake over HTTP long-polling with 403, before any session is read', async () => {
    const handshake = (origin: string) => request(server.baseUrl).get('/socket.io/?EIO=4&transport=polling').set('Origin', origin);
    const refused = await handshake('https://evil.example');
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ message: 'forbidden_origin' });
    expect((await handshake(server.baseUrl)).status).toBe(200);
  });

  it('with APP_URL set, only that origin is ours, whatever host the request came to', async () => {
    const { cookie, token } = await credentials(configured.baseUrl);
    expect(await tryConnect(configured.baseUrl, { cookie, origin: APP_URL })).toBe('connected');
    expect(await tryConnect(`${configured.baseUrl}/customer`, { token, origin: APP_URL })).toBe('connected');
    expect(await tryConnect(configured.baseUrl, { cookie, origin: configured.baseUrl })).not.toBe('connected');
    expect(await tryConnect(`${configured.baseUrl}/customer`, { token, origin: configured.baseUrl })).not.toBe('connected');
  });
});
