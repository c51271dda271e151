import type { Server as HttpServer } from 'node:http';
import type { RequestHandler, Request } from 'express';
import { Server } from 'socket.io';
import { z } from 'zod';
import passport from 'passport';
import { rooms } from './rooms.js';
import { defineHandler } from './handler.js';
import { domainEvents } from '../services/events.js';
import { actorOf } from '../services/auth/actor.js';
import { getOwnProfile } from '../services/org/staff.js';
import { presentStaff } from '../presenters/staff.js';
import { registerAgentChat } from './chat.js';
import { attachCustomerNamespace } from './customer.js';
import { presentSession } from '../presenters/chat.js';
import { customerView } from '../services/chat/customer-chat.js';
import { logger } from '../logger.js';

export type Realtime = { io: Server; close(): Promise<void> };

/**
 * Socket.IO on the same HTTP server, authenticated by the same browser session as the pages.
 * A staff member whose access is revoked (deactivated, password reset) is disconnected at once.
 */
export function attachRealtime(httpServer: HttpServer, session: RequestHandler): Realtime {
  const io = new Server(httpServer, { serveClient: false, cors: { origin: false } });
  io.engine.use(session);
  io.engine.use(passport.initialize());
  io.engine.use(passport.session());
  io.use((socket, next) => {
    const user = (socket.request as Request).user;
    if (!user) return next(new Error('unauthenticated'));
    socket.data.ctx = { actor: actorOf(user), orgId: String(user.orgId), ip: socket.handshake.address };
    // The pages' language choice (the lang cookie), so socket answers speak the same language.
    socket.data.locale = /(?:^|;\s*)lang=en(?:;|$)/.test(socket.handshake.headers.cookie ?? '') ? 'en' : 'zh-CN';
    next();
  });

  io.on('connection', (socket) => {
    const { actor, orgId } = socket.data.ctx as { actor: { id: string }; orgId: string };
    void socket.join([rooms.org(orgId), rooms.staff(actor.id)]);
    defineHandler(socket, 'me:get', z.object({}), async (ctx) => presentStaff(await getOwnProfile(ctx)));
    registerAgentChat(io, socket);
  });
  attachCustomerNamespace(io);

  // Pushes follow the write: the customer's devices (never internal notes), the agents with the conversation open,
  // the assigned agent's tabs, and the organisation's queue watchers for session changes.
  const stopMessages = domainEvents.onEvent('chat.message', ({ sessionId, visitorId, agentId, internal, message }) => {
    if (!internal) io.of('/customer').to(rooms.visitor(visitorId)).emit('message', message);
    io.to([rooms.session(sessionId), ...(agentId ? [rooms.staff(agentId)] : [])]).emit('chat:message', { sessionId, message });
  });
  const stopSessions = domainEvents.onEvent('chat.session', ({ orgId, sessionId, visitorId, agentId, previousAgentId, session, onlyServing }) => {
    if (onlyServing) {
      io.to([rooms.session(sessionId), ...(agentId ? [rooms.staff(agentId)] : [])]).emit('chat:session', presentSession(session, { visitorName: session.visitorName }));
      return;
    }
    const targets = [rooms.queue(orgId), ...(session.storeId ? [rooms.storeQueue(orgId, String(session.storeId))] : []), rooms.session(sessionId), ...(agentId ? [rooms.staff(agentId)] : []), ...(previousAgentId ? [rooms.staff(previousAgentId)] : []), ...(session.ownerId ? [rooms.staff(String(session.ownerId))] : [])];
    io.to(targets).emit('chat:session', presentSession(session, { visitorName: session.visitorName }));
    customerView(session)
      .then((view) => io.of('/customer').to(rooms.visitor(visitorId)).emit('session', view))
      .catch((err: unknown) => logger.error({ err }, 'chat push failed'));
  });
  const stopForgetting = domainEvents.onEvent('chat.visitors_forgotten', ({ visitorIds }) => {
    if (visitorIds.length) io.of('/customer').to(visitorIds.map((id) => rooms.visitor(id))).disconnectSockets(true);
  });
  const stopRevoking = domainEvents.onEvent('staff.access_revoked', ({ staffId }) => {
    io.to(rooms.staff(staffId)).disconnectSockets(true);
  });
  // Delivered only outside the staff member's do-not-disturb window (the digest service decides when).
  const stopDigests = domainEvents.onEvent('followups.digest_delivered', ({ staffId, date, counts }) => {
    io.to(rooms.staff(staffId)).emit('followups:digest', { date, counts });
  });

  return {
    io,
    close: () =>
      new Promise<void>((resolve) => {
        stopRevoking();
        stopForgetting();
        stopMessages();
        stopSessions();
        stopDigests();
        io.close(() => resolve());
      }),
  };
}
