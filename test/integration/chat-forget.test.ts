import { describe, expect, it, beforeAll } from '@jest/globals';
import request from 'supertest';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { useTestDatabase } from '../setup/db.js';
import { startTestServer } from '../setup/server.js';
import { csrfTokenIn } from '../setup/app.js';
import { createOrgWithTeam } from '../factories.js';
import { connectCustomer, createChannel, nextEvent, ok } from '../setup/chat.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
useTestDatabase({ beforeClose: async () => server?.close() });
beforeAll(async () => {
  server = await startTestServer();
});

function connectWith(token: string): Promise<{ socket: Socket; refused?: string }> {
  const socket = connectSocket(`${server.baseUrl}/customer`, { auth: { token }, transports: ['websocket'], forceNew: true, reconnection: false });
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ socket }));
    socket.once('connect_error', (err) => resolve({ socket, refused: err.message }));
  });
}

describe('“forget this device” on the public chat page', () => {
  it('ends the device’s token for good: open chat pages are cut off and a replayed cookie or token opens nothing', async () => {
    const { org } = await createOrgWithTeam();
    const channel = await createChannel(org._id);
    const phone = request.agent(server.baseUrl);
    const form = await phone.get(`/c/${channel.key}`).expect(200);
    const started = await phone
      .post(`/c/${channel.key}/start`)
      .type('form')
      .send({ name: '王女士', phone: '', _csrf: csrfTokenIn(form.text) })
      .expect(303);
    const cookie = ([] as string[])
      .concat(started.headers['set-cookie'] ?? [])
      .find((c) => c.startsWith('sl_chat='))!
      .split(';')[0]!;
    const page = await phone.get(`/c/${channel.key}`).expect(200);
    expect(page.text).toContain('data-testid="customer-chat"');
    const token = decodeURIComponent(cookie.slice('sl_chat='.length));
    const { socket } = await connectWith(token);
    await ok(socket, 'message:send', { clientId: 'c1', text: '你好' });
    // Another customer on the same channel is not touched.
    const other = await connectCustomer(server.baseUrl, channel.key, { name: '李先生' });
    let otherEnded = false;
    other.socket.once('disconnect', () => (otherEnded = true));

    const cut = nextEvent<string>(socket, 'disconnect');
    const forgot = await phone
      .post(`/c/${channel.key}/forget`)
      .type('form')
      .send({ _csrf: csrfTokenIn(page.text) });
    expect(forgot.status).toBe(303);
    expect(await cut).toBe('io server disconnect');

    // The old cookie, kept or copied: the start form, no conversation, no uploads.
    const replay = await request(server.baseUrl).get(`/c/${channel.key}`).set('Cookie', cookie).expect(200);
    expect(replay.text).not.toContain('data-testid="customer-chat"');
    expect(replay.text).toContain('name="name"');
    await request(server.baseUrl)
      .post(`/c/${channel.key}/images`)
      .set('Cookie', cookie)
      .set('Content-Type', 'image/png')
      .send(Buffer.from('x'))
      .expect((res) => expect([401, 403]).toContain(res.status));
    // The old token on the socket.
    const again = await connectWith(token);
    expect(again.refused).toBe('invalid_token');
    again.socket.close();

    await ok(other.socket, 'state');
    expect(otherEnded).toBe(false);
    other.socket.close();
    socket.close();
  });

  it('forgetting with no cookie, or one already forgotten, only clears the cookie', async () => {
    const { org } = await createOrgWithTeam();
    const channel = await createChannel(org._id);
    const browser = request.agent(server.baseUrl);
    const form = await browser.get(`/c/${channel.key}`).expect(200);
    const res = await browser
      .post(`/c/${channel.key}/forget`)
      .type('form')
      .send({ _csrf: csrfTokenIn(form.text) });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/c/${channel.key}`);
  });
});
