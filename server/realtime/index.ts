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
    next();
  });

  io.on('connection', (socket) => {
    const { actor, orgId } = socket.data.ctx as { actor: { id: string }; orgId: string };
    void socket.join([rooms.org(orgId), rooms.staff(actor.id)]);
    defineHandler(socket, 'me:get', z.object({}), async (ctx) => presentStaff(await getOwnProfile(ctx)));
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
        stopDigests();
        io.close(() => resolve());
      }),
  };
}
