import { describe, expect, it, beforeAll } from '@jest/globals';
import sharp from 'sharp';
import { useTestDatabase } from '../setup/db.js';
import { startTestServer } from '../setup/server.js';
import { createOrgWithTeam, createStaff } from '../factories.js';
import { connectAgent, connectCustomer, createChannel, ok, request } from '../setup/chat.js';
import { csrfFor } from '../setup/app.js';
import { openChatImageForVisitor } from '../../server/services/chat/images.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
useTestDatabase({ beforeClose: async () => server?.close() });
beforeAll(async () => {
  server = await startTestServer();
});

type Sess = { id: string; state: string };
type Msg = { id: string; text: string; image: { id: string; mime: string } | null };

describe('pictures from agents', () => {
  it("sends an agent's picture to the customer of the conversation only, never another's upload, never from a note", async () => {
    const { org, agent } = await createOrgWithTeam();
    const colleague = await createStaff(org._id, { roles: ['agent'] });
    const channel = await createChannel(org._id, { routing: 'least_busy' });
    const mine = await connectAgent(server.baseUrl, agent.login);
    const theirs = await connectAgent(server.baseUrl, colleague.login);
    const customer = await connectCustomer(server.baseUrl, channel.key, { name: '孙女士' });
    const stranger = await connectCustomer(server.baseUrl, channel.key, { name: '路人' });
    try {
      await ok(mine.socket, 'chat:presence', { status: 'online' });
      const { session } = await ok<{ session: Sess }>(customer.socket, 'message:send', { clientId: 'p0', text: '有图片吗' });
      expect(session.state).toBe('serving');

      const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#fa0' } })
        .png()
        .toBuffer();
      const token = await csrfFor(mine.http, '/console/agent');
      // Without the CSRF header the upload is refused; with it, stored.
      await mine.http.post('/chat/images').set('Content-Type', 'image/png').set('Accept', 'application/json').send(png).expect(403);
      const upload = await mine.http
        .post('/chat/images')
        .set('Content-Type', 'image/png')
        .set('Accept', 'application/json')
        .set('X-CSRF-Token', token)
        .send(png)
        .expect(201);
      const imageId = (upload.body as { imageId: string }).imageId;
      // Not a picture: refused with the field named.
      const bad = await mine.http
        .post('/chat/images')
        .set('Content-Type', 'image/png')
        .set('Accept', 'application/json')
        .set('X-CSRF-Token', token)
        .send(Buffer.from('not a picture'))
        .expect(400);
      expect(JSON.stringify(bad.body)).toContain('image');

      // A colleague cannot send it (only the uploader's own pictures travel).
      const pushedToCustomer = new Promise<Msg>((resolve) => customer.socket.on('message', (m: Msg) => m.image && resolve(m)));
      await ok(theirs.socket, 'chat:presence', { status: 'online' });
      const foreign = await request(theirs.socket, 'chat:send', { sessionId: session.id, clientId: 'x1', text: '', imageId });
      expect(foreign.ok).toBe(false);

      const sent = await ok<{ message: Msg }>(mine.socket, 'chat:send', { sessionId: session.id, clientId: 'i1', imageId });
      expect(sent.message.image).toMatchObject({ id: imageId, mime: 'image/png' });
      expect((await pushedToCustomer).image?.id).toBe(imageId);
      // The customer of the conversation may open it; another visitor may not.
      await expect(openChatImageForVisitor(String(org._id), imageId, customer.visitorId)).resolves.toMatchObject({ mime: 'image/png' });
      await expect(openChatImageForVisitor(String(org._id), imageId, stranger.visitorId)).rejects.toMatchObject({ status: 404 });

      // A picture in an internal note stays with the agents.
      const noteUpload = await mine.http
        .post('/chat/images')
        .set('Content-Type', 'image/png')
        .set('Accept', 'application/json')
        .set('X-CSRF-Token', token)
        .send(png)
        .expect(201);
      const noteImage = (noteUpload.body as { imageId: string }).imageId;
      await ok(mine.socket, 'chat:send', { sessionId: session.id, clientId: 'n1', imageId: noteImage, internal: true });
      await expect(openChatImageForVisitor(String(org._id), noteImage, customer.visitorId)).rejects.toMatchObject({ status: 404 });
      // Neither text nor picture: refused.
      const empty = await request(mine.socket, 'chat:send', { sessionId: session.id, clientId: 'e1', text: '' });
      expect(empty).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    } finally {
      mine.socket.close();
      theirs.socket.close();
      customer.socket.close();
      stranger.socket.close();
    }
  });
});
