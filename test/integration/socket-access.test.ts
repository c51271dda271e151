import { describe, expect, it, beforeAll } from '@jest/globals';
import type { Socket } from 'socket.io-client';
import request from 'supertest';
import { useTestDatabase } from '../setup/db.js';
import { startTestServer } from '../setup/server.js';
import { bearerFor, csrfFor, postForm, signIn } from '../setup/app.js';
import { createOrgWithTeam, PASSWORD } from '../factories.js';
import { connectAgent, connectCustomer, createChannel, nextEvent, ok, request as socketRequest } from '../setup/chat.js';
import { Staff } from '../../server/models/staff.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
useTestDatabase({ beforeClose: async () => server?.close() });
beforeAll(async () => {
  server = await startTestServer();
});

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

type Setup = Awaited<ReturnType<typeof consoleOnAQueuedSession>>;

/** Makes the change; every one of these sockets must be ended by the server, and then tries to connect again. */
async function endsSockets(change: () => Promise<unknown>, sockets: Socket[]): Promise<string[]> {
  const endings = sockets.map((socket) => nextEvent<string>(socket, 'disconnect'));
  await change();
  expect(await Promise.all(endings)).toEqual(sockets.map(() => 'io server disconnect'));
  return Promise.all(sockets.map(reconnect));
}

/** An admin's change of the staff member through the API. */
const patchStaff = (setup: Setup, body: object) => () =>
  request(server.baseUrl).patch(`/api/v1/staff/${setup.staff._id}`).set(setup.api).send(body).expect(200);

/** After the change: the session still counts, and the console reaches neither the conversation nor the queue. */
async function reachesNothing(setup: Setup, change: () => Promise<unknown>, code: string) {
  expect(await endsSockets(change, [setup.console.socket])).toEqual(['connected']);
  const open = await socketRequest(setup.console.socket, 'chat:open', { sessionId: setup.sessionId });
  expect(!open.ok && open.error.code).toBe(code);
}

describe('a staff socket follows the staff member’s access as it is now', () => {
  it('roles: taking the agent role away ends every console socket of that person; reconnected, the console opens nothing', async () => {
    const setup = await consoleOnAQueuedSession('agent');
    const secondTab = await connectAgent(server.baseUrl, setup.staff.login);
    try {
      // The browser session is still good (a role change is not a sign-out), but it now carries the new access.
      expect(await endsSockets(patchStaff(setup, { roles: ['marketer'] }), [setup.console.socket, secondTab.socket])).toEqual(['connected', 'connected']);
      const open = await socketRequest(setup.console.socket, 'chat:open', { sessionId: setup.sessionId });
      expect(!open.ok && open.error.code).toBe('forbidden');
      expect((await socketRequest(setup.console.socket, 'chat:overview')).ok).toBe(false);
      expect((await socketRequest(secondTab.socket, 'chat:presence', { status: 'online' })).ok).toBe(false);
    } finally {
      secondTab.socket.close();
      setup.close();
    }
  });

  it('roles: an agent made a clerk keeps only the clerk’s reach (their own customers’ sessions)', async () => {
    const setup = await consoleOnAQueuedSession('agent');
    try {
      await reachesNothing(setup, patchStaff(setup, { roles: ['clerk'] }), 'not_found');
      expect(await queueIds(setup.console.socket)).toEqual([]);
    } finally {
      setup.close();
    }
  });

  it('store: a manager moved to another store no longer reaches the first store’s sessions', async () => {
    const setup = await consoleOnAQueuedSession('manager');
    try {
      expect(await queueIds(setup.console.socket)).toEqual([setup.sessionId]);
      await reachesNothing(setup, patchStaff(setup, { storeId: String(setup.otherStore._id) }), 'not_found');
      expect(await queueIds(setup.console.socket)).toEqual([]);
    } finally {
      setup.close();
    }
  });

  it('status and password: deactivation and a password reset end the sockets, and the session cannot connect again', async () => {
    const deactivated = await consoleOnAQueuedSession('agent');
    const reset = await consoleOnAQueuedSession('agent');
    try {
      const deactivate = () => request(server.baseUrl).post(`/api/v1/staff/${deactivated.staff._id}/deactivate`).set(deactivated.api).expect(200);
      expect(await endsSockets(deactivate, [deactivated.console.socket])).toEqual(['unauthenticated']);
      const adminBrowser = await signIn(server.baseUrl, reset.admin.login, PASSWORD);
      const resetPassword = () =>
        postForm(adminBrowser, `/admin/staff/${reset.staff._id}/edit`, `/admin/staff/${reset.staff._id}/password`, { password: 'a brand new password' }).then(
          (res) => expect(res.status).toBe(303),
        );
      expect(await endsSockets(resetPassword, [reset.console.socket])).toEqual(['unauthenticated']);
    } finally {
      deactivated.close();
      reset.close();
    }
  });

  it('logout: ends the sockets of that browser session only, and the session is gone', async () => {
    const setup = await consoleOnAQueuedSession('agent');
    const otherBrowser = await connectAgent(server.baseUrl, setup.staff.login);
    try {
      let otherEnded = false;
      otherBrowser.socket.once('disconnect', () => (otherEnded = true));
      const token = await csrfFor(setup.console.http, '/profile');
      const logout = () => setup.console.http.post('/logout').type('form').send({ _csrf: token }).expect(303);
      expect(await endsSockets(logout, [setup.console.socket])).toEqual(['unauthenticated']);
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
    /** Another app process changed the staff member and its notice never arrived here: the next event sees it. */
    const changedElsewhere = (update: object, event: string, payload: object) => async () => {
      await Staff.updateOne({ _id: setup.staff._id, orgId: setup.org._id }, update);
      const answer = await socketRequest(setup.console.socket, event, payload);
      expect(!answer.ok && answer.error.code).toBe('unauthenticated');
    };
    try {
      expect(
        await endsSockets(changedElsewhere({ $set: { roles: ['marketer'] } }, 'chat:open', { sessionId: setup.sessionId }), [setup.console.socket]),
      ).toEqual(['connected']);
      const open = await socketRequest(setup.console.socket, 'chat:open', { sessionId: setup.sessionId });
      expect(!open.ok && open.error.code).toBe('forbidden');
      expect(await endsSockets(changedElsewhere({ $set: { status: 'left' }, $inc: { authVersion: 1 } }, 'me:get', {}), [setup.console.socket])).toEqual([
        'unauthenticated',
      ]);
    } finally {
      setup.close();
    }
  });
});
