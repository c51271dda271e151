import { describe, expect, it, beforeAll } from '@jest/globals';
import { io as connectSocket, type Socket } from 'socket.io-client';
import request from 'supertest';
import { useTestDatabase } from '../setup/db.js';
import { startTestServer } from '../setup/server.js';
import { bearerFor } from '../setup/app.js';
import { createOrgWithTeam, PASSWORD } from '../factories.js';
import { i18n } from '../../server/i18n/index.js';
import { connectCustomer, createChannel, nextEvent, ok, request as ask } from '../setup/chat.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
useTestDatabase({ beforeClose: async () => server?.close() });
beforeAll(async () => {
  server = await startTestServer();
});

/** A staff socket with no cookie at all, as an agent app that is not a browser opens it. */
async function connectWith(opts: {
  auth?: Record<string, string>;
  extraHeaders?: Record<string, string>;
}): Promise<{ socket: Socket; refused: (Error & { data?: unknown }) | null }> {
  const socket = connectSocket(server.baseUrl, { ...opts, transports: ['websocket'], forceNew: true, reconnection: false });
  const refused = await new Promise<(Error & { data?: unknown }) | null>((resolve) => {
    socket.once('connect', () => resolve(null));
    socket.once('connect_error', (err) => resolve(err));
  });
  return { socket, refused };
}

describe('staff sockets with an API token (agent apps)', () => {
  it('serve chat to an app that brings a token in auth or as a bearer header, and refuse a forged token', async () => {
    const { org, agent } = await createOrgWithTeam();
    const channel = await createChannel(org._id, { routing: 'manual' });
    const { Authorization } = await bearerFor(server.baseUrl, agent.login, PASSWORD);
    const token = Authorization.slice('Bearer '.length);

    const app = await connectWith({ auth: { token, lang: 'en' } });
    expect(app.refused).toBeNull();
    const header = await connectWith({ extraHeaders: { Authorization } });
    expect(header.refused).toBeNull();
    try {
      expect(await ok<{ id: string }>(app.socket, 'me:get')).toMatchObject({ id: String(agent._id) });
      // The app is a console like a browser tab: presence, the queue, pushes.
      expect(await ok(app.socket, 'chat:presence', { status: 'online' })).toEqual({ status: 'online' });
      const customer = await connectCustomer(server.baseUrl, channel.key);
      const queued = nextEvent<{ id: string; state: string }>(app.socket, 'chat:session', (s) => s.state === 'queued');
      await ok(customer.socket, 'message:send', { clientId: 'c1', text: '在吗？' });
      const session = await queued;
      await ok(app.socket, 'chat:accept', { sessionId: session.id });
      const sent = await ok<{ message: { seq: number } }>(header.socket, 'chat:send', { sessionId: session.id, clientId: 'a1', text: 'Hello' });
      expect(sent.message.seq).toBeGreaterThan(0);
      // Answers speak the language the app asked for (`auth.lang`).
      const refusedAccept = await ask(app.socket, 'chat:accept', { sessionId: session.id });
      expect(refusedAccept).toMatchObject({ ok: false, error: { code: 'not_queued', localizedMessage: i18n.t('chat.errors.notQueued', { lng: 'en' }) } });
      customer.socket.close();
    } finally {
      app.socket.close();
      header.socket.close();
    }

    for (const forged of [{ auth: { token: 'slk_forged' } }, { extraHeaders: { Authorization: 'Bearer slk_forged' } }, {}]) {
      const attempt = await connectWith(forged);
      expect(attempt.refused?.message).toBe('unauthenticated');
      attempt.socket.close();
    }
  });

  it('ends with its token: a revoked token is refused at the next event and at the next connection', async () => {
    const { agent } = await createOrgWithTeam();
    const bearer = await bearerFor(server.baseUrl, agent.login, PASSWORD);
    const token = bearer.Authorization.slice('Bearer '.length);
    const app = await connectWith({ auth: { token } });
    expect(app.refused).toBeNull();
    await ok(app.socket, 'me:get');

    const listed = await request(server.baseUrl).get('/api/v1/tokens').set(bearer).expect(200);
    const disconnected = new Promise<string>((resolve) => app.socket.once('disconnect', resolve));
    await request(server.baseUrl)
      .delete(`/api/v1/tokens/${listed.body.items[0].id as string}`)
      .set(bearer)
      .expect(204);

    expect(await ask(app.socket, 'me:get')).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect(await disconnected).toBe('io server disconnect');
    const again = await connectWith({ auth: { token } });
    expect(again.refused?.message).toBe('unauthenticated');
    again.socket.close();
  });
});
