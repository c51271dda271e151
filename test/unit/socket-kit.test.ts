import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { Router } from 'express';
import request from 'supertest';
import { Server, type Socket } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { z } from 'zod';
import { endpoint } from '../../server/http/endpoint.js';
import { socketEvent, visitorEvent } from '../../server/http/socket.js';
import { api } from '../../server/http/surfaces.js';
import { mount } from '../../server/http/gate.js';
import { setCurrentContext } from '../../server/realtime/handler.js';
import { errorHandler } from '../../server/middlewares/errors.js';
import { initI18n } from '../../server/i18n/index.js';
import type { Role } from '../../server/models/staff.js';

/**
 * The socket surface on its own, without a database: a staff socket whose roles come from the handshake, and the same
 * endpoints on the HTTP kit, so a refusal can be compared with the API's.
 */

const reportOnly = endpoint({
  access: { permission: 'chat.report' },
  input: { body: z.object({ day: z.string().min(1, 'required') }) },
  run: (_ctx, { body }) => ({ day: body.day }),
});

const served = endpoint({
  access: { permission: 'chat.serve' },
  input: { body: z.object({ text: z.string().min(1, 'required') }) },
  run: (ctx, { body }) => ({ by: ctx.actor.id, text: body.text }),
});

const visitorOnly = endpoint({ access: 'visitor', input: { body: z.object({}) }, run: (ctx) => ({ visitor: ctx.visitorId }) });

type Ack = { ok: true; data: unknown } | { ok: false; error: { code: string; message: string } };

let io: Server;
let httpServer: http.Server;
let url: string;
const clients: ClientSocket[] = [];

function staffContext(roles: Role[]) {
  return { orgId: 'o1', actor: { id: 'me', orgId: 'o1', roles, storeId: 's1' } };
}

beforeAll(async () => {
  await initI18n();
  httpServer = http.createServer();
  io = new Server(httpServer);
  io.use((socket, next) => {
    socket.data.locale = 'en';
    socket.data.ctx = staffContext(
      String((socket.handshake.auth as { roles?: string }).roles ?? '')
        .split(',')
        .filter(Boolean) as Role[],
    );
    next();
  });
  io.on('connection', (socket: Socket) => {
    setCurrentContext(socket, () => Promise.resolve(socket.data.ctx));
    socketEvent(socket, 'report', reportOnly);
    socketEvent(socket, 'send', served, { present: (sent, { input }) => ({ ...sent, echoed: input.body.text }) });
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
});

afterAll(async () => {
  clients.forEach((c) => c.close());
  await new Promise<void>((resolve) => io.close(() => resolve()));
});

async function staffSocket(roles: string): Promise<ClientSocket> {
  const socket = connect(url, { auth: { roles }, transports: ['websocket'], forceNew: true });
  clients.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

const ask = (socket: ClientSocket, event: string, payload: unknown) => new Promise<Ack>((resolve) => socket.emit(event, payload, resolve));

describe('socket events: mounted only from declared endpoints', () => {
  const fakeSocket = { on: () => undefined, data: {} } as unknown as Socket;

  it('refuses to register anything endpoint() did not build', () => {
    const handMade = { access: { permission: 'chat.serve' }, stepUp: false, input: { body: z.object({}) }, run: async () => 1 };
    expect(() => socketEvent(fakeSocket, 'chat:hand-made', handMade as never)).toThrow(/not a declared endpoint/);
    expect(() => visitorEvent(fakeSocket, 'hand-made', handMade as never)).toThrow(/not a declared endpoint/);
  });

  it('keeps the sides apart: a visitor endpoint never on the staff socket, a staff endpoint never on the customer socket', () => {
    expect(() => socketEvent(fakeSocket, 'chat:visitor', visitorOnly as never)).toThrow(/visitor endpoint cannot be served on the staff socket/);
    expect(() => visitorEvent(fakeSocket, 'send', served as never)).toThrow(/staff endpoint cannot be served on the visitor socket/);
  });

  it('refuses an endpoint without a payload schema, or one that reads the address', () => {
    const noBody = endpoint({ access: 'signedIn', run: () => 1 });
    const withParams = endpoint({ access: 'signedIn', input: { params: z.object({ id: z.string() }), body: z.object({}) }, run: () => 1 });
    expect(() => socketEvent(fakeSocket, 'no-body', noBody)).toThrow(/no body schema/);
    expect(() => socketEvent(fakeSocket, 'params', withParams)).toThrow(/body only/);
  });

  it('an HTTP route refuses a visitor endpoint (the gate knows no visitor)', () => {
    expect(() => api.get('/visitor', visitorOnly as never)).toThrow(/customer socket only/);
  });
});

describe('socket events: the endpoint’s access, as the HTTP gate checks it', () => {
  it('refuses a caller without the permission with the API’s code, before the payload is even parsed', async () => {
    const app = express();
    app.use(express.json());
    app.use((req, _res, next) => {
      req.isApi = true;
      req.locale = 'en';
      req.ctx = staffContext(['agent']);
      next();
    });
    app.use(mount(Router(), 'api', [api.post('/report', reportOnly)]));
    app.use(errorHandler);
    const viaApi = await request(app).post('/report').send({}).expect(403);

    const agent = await staffSocket('agent');
    const viaSocket = await ask(agent, 'report', {});
    expect(viaSocket.ok).toBe(false);
    expect(!viaSocket.ok && viaSocket.error.code).toBe(viaApi.body.error.code);
    expect(!viaSocket.ok && viaSocket.error.code).toBe('forbidden');
    expect(!viaSocket.ok && viaSocket.error.message).toBe(viaApi.body.error.message);
  });

  it('lets a caller with the permission through: payload parsed, one run, presented ack', async () => {
    const agent = await staffSocket('agent');
    expect(await ask(agent, 'send', { text: 'hi' })).toEqual({ ok: true, data: { by: 'me', text: 'hi', echoed: 'hi' } });
    const bad = await ask(agent, 'send', { text: '' });
    expect(!bad.ok && bad.error.code).toBe('invalid_input');
    const manager = await staffSocket('manager');
    expect(await ask(manager, 'report', { day: 'today' })).toEqual({ ok: true, data: { day: 'today' } });
  });
});
