import { describe, expect, it, beforeAll } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import request from 'supertest';
import { useTestDatabase } from '../setup/db.js';
import { startTestServer } from '../setup/server.js';
import { bearerFor, csrfFor, postForm, signIn } from '../setup/app.js';
import { createOrgWithTeam, PASSWORD } from '../factories.js';
import { connectAgent, connectCustomer, createChannel, ok, request as socketRequest } from '../setup/chat.js';
import { Staff } from '../../server/models/staff.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
useTestDatabase({ beforeClose: async () => server?.close() });
beforeAll(async () => {
  server = await startTestServer();
});

/** Resolves with the reason the server gave when it ends this socket; fails if it stays open. */
function ended(socket: Socket, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the socket stayed open for ${timeoutMs} ms`)), timeoutMs);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

/** Connects again with the same browser session: 'connected', or the refusal's message. */
function reconnect(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    socket.once('connect', () => resolve('connected'));
    socket.once('connect_error', (err) => resolve(err.message));
    socket.connect();
  });
}

/** An organisation with a store's queued conversation, and the staff member's console open on it. */
async function consoleOnAQueuedSession(who: 'agent' | 'manager') {
  const team = await createOrgWithTeam();
  const channel = await createChannel(team.org._id, { routing: 'manual', storeId: team.store._id });
  const customer = await connectCustomer(server.baseUrl, channel.key, { name: '王女士' });
  const sent = await ok<{ session: { id: string } }>(customer.socket, 'message:send', { clientId: 'c1', text: '在吗？' });
  const staff = team[who];
  const console = await connectAgent(server.baseUrl, staff.login);
  const sessionId = sent.session.id;
  await ok(console.socket, 'chat:open', { sessionId });
  const api = await bearerFor(server.baseUrl, team.admin.login, PASSWORD);
  return { ...team, staff, console, sessionId, api, close: () => [customer.socket, console.socket].forEach((s) => s.close()) };
}

async function queueIds(socket: Socket): Promise<string[]> {
  const overview = await ok<{ queue: { id: string }[] }>(socket, 'chat:overview');
  return overview.queue.map((s) => s.id);
}

describe('a staff socket follows the staff member’s access as it is now', () => {
  it('roles: taking the agent role away ends every console socket of that person; reconnected, the console opens nothing', async () => {
    const setup = await consoleOnAQueuedSession('agent');
    const secondTab = await connectAgent(server.baseUrl, setup.staff.login);
    try {
      const endings = [ended(setup.console.socket), ended(secondTab.socket)];
      await request(server.baseUrl).patch(`/api/v1/staff/${setup.staff._id}`).set(setup.api).send({ roles: ['marketer'] }).expect(200);
      expect(await Promise.all(endings)).toEqual(['io server disconnect', 'io server disconnect']);

      // The browser session is still good (a role change is not a sign-out), but it now carries the new access.
      expect(await reconnect(setup.console.socket)).toBe('connected');
      const open = await socketRequest(setup.console.socket, 'chat:open', { sessionId: setup.sessionId });
      expect(open.ok).toBe(false);
      expect(!open.ok && open.error.code).toBe('forbidden');
      expect((await socketRequest(setup.console.socket, 'chat:overview')).ok).toBe(false);
      expect((await socketRequest(setup.console.socket, 'chat:presence', { status: 'online' })).ok).toBe(false);
    } finally {
      secondTab.socket.close();
      setup.close();
    }
  });

  it('roles: an agent made a clerk keeps only the clerk’s reach (their own customers’ sessions)', async () => {
    const setup = await consoleOnAQueuedSession('agent');
    try {
      const ending = ended(setup.console.socket);
      await request(server.baseUrl).patch(`/api/v1/staff/${setup.staff._id}`).set(setup.api).send({ roles: ['clerk'] }).expect(200);
      expect(await ending).toBe('io server disconnect');
      expect(await reconnect(setup.console.socket)).toBe('connected');
      const open = await socketRequest(setup.console.socket, 'chat:open', { sessionId: setup.sessionId });
      expect(!open.ok && open.error.code).toBe('not_found');
      expect(await queueIds(setup.console.socket)).toEqual([]);
    } finally {
      setup.close();
    }
  });

  it('store: a manager moved to another store no longer reaches the first store’s sessions', async () => {
    const setup = await consoleOnAQueuedSession('manager');
    try {
      expect(await queueIds(setup.console.socket)).toEqual([setup.sessionId]);
      const ending = ended(setup.console.socket);
      await request(server.baseUrl).patch(`/api/v1/staff/${setup.staff._id}`).set(setup.api).send({ storeId: String(setup.otherStore._id) }).expect(200);
      expect(await ending).toBe('io server disconnect');
      expect(await reconnect(setup.console.socket)).toBe('connected');
      const open = await socketRequest(setup.console.socket, 'chat:open', { sessionId: setup.sessionId });
      expect(!open.ok && open.error.code).toBe('not_found');
      expect(await queueIds(setup.console.socket)).toEqual([]);
    } finally {
      setup.close();
    }
  });

  it('status: deactivation ends the sockets and the session cannot connect again', async () => {
    const setup = await consoleOnAQueuedSession('agent');
    try {
      const ending = ended(setup.console.socket);
      await request(server.baseUrl).post(`/api/v1/staff/${setup.staff._id}/deactivate`).set(setup.api).expect(200);
      expect(await ending).toBe('io server disconnect');
      expect(await reconnect(setup.console.socket)).toBe('unauthenticated');
    } finally {
      setup.close();
    }
  });

  it('password reset: the sockets end and the session cannot connect again', async () => {
    const setup = await consoleOnAQueuedSession('agent');
    try {
      const ending = ended(setup.console.socket);
      const adminBrowser = await signIn(server.baseUrl, setup.admin.login, PASSWORD);
      const res = await postForm(adminBrowser, `/admin/staff/${setup.staff._id}/edit`, `/admin/staff/${setup.staff._id}/password`, { password: 'a brand new password' });
      expect(res.status).toBe(303);
      expect(await ending).toBe('io server disconnect');
      expect(await reconnect(setup.console.socket)).toBe('unauthenticated');
    } finally {
      setup.close();
    }
  });

  it('logout: ends the sockets of that browser session only, and the session is gone', async () => {
    const setup = await consoleOnAQueuedSession('agent');
    const otherBrowser = await connectAgent(server.baseUrl, setup.staff.login);
    try {
      const ending = ended(setup.console.socket);
      let otherEnded = false;
      otherBrowser.socket.once('disconnect', () => (otherEnded = true));
      const token = await csrfFor(setup.console.http, '/profile');
      await setup.console.http.post('/logout').type('form').send({ _csrf: token }).expect(303);
      expect(await ending).toBe('io server disconnect');
      expect(await reconnect(setup.console.socket)).toBe('unauthenticated');
      await setup.console.http.get('/console/agent').expect(303);
      // The same person's other browser keeps its session and its console.
      await ok(otherBrowser.socket, 'chat:open', { sessionId: setup.sessionId });
      expect(otherEnded).toBe(false);
    } finally {
      otherBrowser.socket.close();
      setup.close();
    }
  });

  it('checks every event against the staff member as they are now, even when no notice of the change reached this process', async () => {
    const setup = await consoleOnAQueuedSession('agent');
    try {
      // Another app process changed the roles and its notice never arrived here: the next event still sees it.
      await Staff.updateOne({ _id: setup.staff._id, orgId: setup.org._id }, { $set: { roles: ['marketer'] } });
      const ending = ended(setup.console.socket);
      const send = await socketRequest(setup.console.socket, 'chat:open', { sessionId: setup.sessionId });
      expect(!send.ok && send.error.code).toBe('unauthenticated');
      expect(await ending).toBe('io server disconnect');
      expect(await reconnect(setup.console.socket)).toBe('connected');
      const open = await socketRequest(setup.console.socket, 'chat:open', { sessionId: setup.sessionId });
      expect(!open.ok && open.error.code).toBe('forbidden');

      // Deactivated elsewhere: the next event is refused and the socket ends.
      await Staff.updateOne({ _id: setup.staff._id, orgId: setup.org._id }, { $set: { status: 'left' }, $inc: { authVersion: 1 } });
      const again = ended(setup.console.socket);
      const me = await socketRequest(setup.console.socket, 'me:get');
      expect(!me.ok && me.error.code).toBe('unauthenticated');
      expect(await again).toBe('io server disconnect');
      expect(await reconnect(setup.console.socket)).toBe('unauthenticated');
    } finally {
      setup.close();
    }
  });
});
