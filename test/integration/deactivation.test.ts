import { describe, expect, it, beforeAll, afterAll } from '@jest/globals';
import request from 'supertest';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { useTestDatabase } from '../setup/db.js';
import { postForm, sessionCookieOf, signIn } from '../setup/app.js';
import { startTestServer } from '../setup/server.js';
import { createOrgWithTeam, PASSWORD } from '../factories.js';
import { Staff } from '../../server/models/staff.js';
import { AuditEvent } from '../../server/models/audit-event.js';

useTestDatabase();

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

function openSocket(cookie: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connectSocket(server.baseUrl, { transports: ['websocket'], extraHeaders: { Cookie: cookie }, reconnection: false });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => reject(err));
  });
}

describe('deactivating a staff member', () => {
  it('ends their browser sessions, API tokens and live sockets at once', async () => {
    const { admin, clerk, org } = await createOrgWithTeam();
    const clerkAgent = await signIn(server.baseUrl, clerk.login, PASSWORD);
    await clerkAgent.get('/console/clerk').expect(200);
    const token = (await request(server.baseUrl).post('/api/v1/tokens').send({ login: clerk.login, password: PASSWORD, name: 'phone' }).expect(201)).body
      .token as string;
    const socket = await openSocket(sessionCookieOf(clerkAgent));
    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));

    const adminAgent = await signIn(server.baseUrl, admin.login, PASSWORD);
    const res = await postForm(adminAgent, '/admin/staff', `/admin/staff/${clerk._id}/deactivate`, {});
    expect(res.status).toBe(303);

    expect(await disconnected).toBe('io server disconnect');
    await clerkAgent.get('/console/clerk').expect(303).expect('location', '/login?next=%2Fconsole%2Fclerk');
    await request(server.baseUrl).get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(401);
    await expect(openSocket(sessionCookieOf(clerkAgent))).rejects.toThrow('unauthenticated');

    const stored = await Staff.findOne({ _id: clerk._id, orgId: org._id }).lean();
    expect(stored?.status).toBe('left');
    expect(await AuditEvent.countDocuments({ orgId: org._id, action: 'staff.deactivate', targetId: clerk._id })).toBe(1);
    socket.close();
  });

  it('ends the sessions of a staff member whose password an admin reset', async () => {
    const { admin, clerk } = await createOrgWithTeam();
    const clerkAgent = await signIn(server.baseUrl, clerk.login, PASSWORD);
    const adminAgent = await signIn(server.baseUrl, admin.login, PASSWORD);
    const res = await postForm(adminAgent, `/admin/staff/${clerk._id}/edit`, `/admin/staff/${clerk._id}/password`, { password: 'a brand new password' });
    expect(res.status).toBe(303);
    await clerkAgent.get('/console/clerk').expect(303);
    await signIn(server.baseUrl, clerk.login, 'a brand new password');
  });

  it('keeps the last active admin and refuses self-deactivation', async () => {
    const { admin, org } = await createOrgWithTeam();
    const { body } = await request(server.baseUrl).post('/api/v1/tokens').send({ login: admin.login, password: PASSWORD, name: 'a' }).expect(201);
    const self = await request(server.baseUrl).post(`/api/v1/staff/${admin._id}/deactivate`).set('Authorization', `Bearer ${body.token}`);
    expect(self.status).toBe(409);
    expect(self.body.error.code).toBe('cannot_deactivate_self');
    const demote = await request(server.baseUrl)
      .patch(`/api/v1/staff/${admin._id}`)
      .set('Authorization', `Bearer ${body.token}`)
      .send({ roles: ['marketer'] });
    expect(demote.status).toBe(409);
    expect(demote.body.error.code).toBe('last_admin');
    expect((await Staff.findOne({ _id: admin._id, orgId: org._id }).lean())?.roles).toEqual(['admin']);
  });

  it('lets a reactivated staff member log in again', async () => {
    const { admin, clerk } = await createOrgWithTeam();
    const { body } = await request(server.baseUrl).post('/api/v1/tokens').send({ login: admin.login, password: PASSWORD, name: 'a' }).expect(201);
    const auth = { Authorization: `Bearer ${body.token}` };
    await request(server.baseUrl).post(`/api/v1/staff/${clerk._id}/deactivate`).set(auth).expect(200);
    const list = await request(server.baseUrl).get('/api/v1/staff?status=left').set(auth).expect(200);
    expect(list.body.items.map((s: { id: string }) => s.id)).toEqual([String(clerk._id)]);
    await request(server.baseUrl).post(`/api/v1/staff/${clerk._id}/reactivate`).set(auth).expect(200);
    await signIn(server.baseUrl, clerk.login, PASSWORD);
  });
});
