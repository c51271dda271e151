import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { RequestHandler, Request } from 'express';
import { Server, type Socket } from 'socket.io';
import { z } from 'zod';
import passport from 'passport';
import { rooms } from './rooms.js';
import { defineHandler, setCurrentContext, setTimeLimit } from './handler.js';
import { refusal, withinTimeLimit } from './refusal.js';
import { staffForBearerToken } from '../services/auth/api-tokens.js';
import { actorOf } from '../services/auth/actor.js';
import { currentActor, sameAccess, sessionUserOf, signInKeyOf, type SessionUser } from '../services/auth/sessions.js';
import type { ServiceContext } from '../services/context.js';
import { getOwnProfile } from '../services/org/staff.js';
import { presentStaff } from '../presenters/staff.js';
import crypto from 'node:crypto';
import { registerAgentChat, type ConsoleTracker } from './chat.js';
import { dropInstanceConsoles } from '../services/chat/presence.js';
import { attachCustomerNamespace } from './customer.js';
import { installPushes } from './pushes.js';
import { logger } from '../logger.js';

export type Realtime = { io: Server; close(): Promise<void> };

/** A staff socket's API token, when it connected with one; kept beside the socket (socket.data travels the adapter). */
const tokens = new WeakMap<Socket, string>();

/** The API token of a handshake: `auth: {token}` (any client), or `Authorization: Bearer …` (clients that set headers). */
function bearerTokenOf(handshake: Socket['handshake']): string | null {
  const fromAuth = (handshake.auth as { token?: unknown } | undefined)?.token;
  if (typeof fromAuth === 'string' && fromAuth) return fromAuth;
  const header = handshake.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1] ?? null;
}

/**
 * Only our own pages open sockets: a page of another site could otherwise open the staff socket with the staff
 * member's cookie (cross-site WebSocket hijacking: cookies go along, and WebSockets are not bound by CORS), and drive
 * the customer side from its own visitors' browsers, spending our per-address limits from addresses that are not
 * the sender's. The check covers every namespace, so the customer side (`/customer`, our public chat page) gets it
 * too, and a namespace added later cannot forget it. Browsers always send Origin on a WebSocket and on cross-site
 * requests; a request without one is not a browser acting for another site (a mobile app, a server), and such a
 * client still needs its own credential.
 */
function ownOriginOnly(appUrl: string | undefined) {
  const own = appUrl ? new URL(appUrl).origin : null;
  return (req: IncomingMessage, callback: (message: string | null | undefined, success: boolean) => void) => {
    const origin = req.headers.origin;
    if (origin === undefined) return callback(null, true);
    // Without APP_URL, our own origin is the host this request came to (the scheme is the proxy's business).
    const ours = own ? origin === own : URL.canParse(origin) && new URL(origin).host === req.headers.host;
    callback(ours ? null : 'forbidden_origin', ours);
  };
}

/** The browser session the handshake read is still in the session store (signing out destroys it). */
function sessionStillStored(req: Request): Promise<boolean> {
  return new Promise((resolve) => req.sessionStore.get(req.sessionID, (err, stored) => resolve(!err && Boolean(stored))));
}

/**
 * Socket.IO on the same HTTP server, authenticated by the same browser session as the pages, or (apps that are not
 * browsers) by an API token.
 * A staff member whose access changes (roles, store, status, password reset) or who signs out is disconnected at
 * once, in every process; and every event checks their access as it is now (see handler.ts).
 */
export function attachRealtime(
  httpServer: HttpServer,
  session: RequestHandler,
  opts: { appUrl?: string | undefined; requestTimeLimitMs?: number } = {},
): Realtime {
  const io = new Server(httpServer, { serveClient: false, cors: { origin: false }, allowRequest: ownOriginOnly(opts.appUrl) });
  // Each server marks the consoles it holds, so stopping it (SIGTERM included) takes them out of presence at once.
  const consoles: ConsoleTracker = { instance: crypto.randomUUID(), pending: new Set() };
  io.engine.use(session);
  io.engine.use(passport.initialize());
  io.engine.use(passport.session());
  if (opts.requestTimeLimitMs) setTimeLimit(io, opts.requestTimeLimitMs);
  io.use(async (socket, next) => {
    const req = socket.request as Request;
    // The pages' language choice (the lang cookie; an app says `auth.lang`), so socket answers speak the same language.
    const lang = (socket.handshake.auth as { lang?: unknown } | undefined)?.lang;
    socket.data.locale = lang === 'en' || /(?:^|;\s*)lang=en(?:;|$)/.test(socket.handshake.headers.cookie ?? '') ? 'en' : 'zh-CN';
    // An app that is not a browser (an agent app) brings an API token instead of the session cookie.
    const token = bearerTokenOf(socket.handshake);
    let user: Express.User | undefined;
    try {
      user = token !== null ? ((await withinTimeLimit(io, staffForBearerToken(token))) ?? undefined) : req.user;
    } catch (err) {
      return next(refusal(err, socket.data.locale as string));
    }
    if (!user) return next(new Error('unauthenticated'));
    socket.data.ctx = { actor: actorOf(user), orgId: String(user.orgId), ip: socket.handshake.address };
    socket.data.sessionUser = sessionUserOf(user);
    socket.data.signInKey = token === null ? signInKeyOf(req.sessionID) : null;
    if (token !== null) tokens.set(socket, token);
    next();
  });

  io.on('connection', (socket) => {
    const connected = socket.data.ctx as ServiceContext;
    const user = socket.data.sessionUser as SessionUser;
    // One indexed read per event, so a change made by any process counts at once, whether or not its notice arrived.
    // A socket whose roles or store changed answers nothing more: its rooms were chosen for the old access.
    const token = tokens.get(socket);
    const signInKey = socket.data.signInKey as string | null;
    // A token socket checks its token each time (revoked, or ended by a password reset or deactivation).
    const now = async (): Promise<ServiceContext | null> => {
      const actor = token === undefined ? await currentActor(user) : await staffForBearerToken(token).then((staff) => (staff ? actorOf(staff) : null));
      return actor && sameAccess(actor, connected.actor) ? connected : null;
    };
    setCurrentContext(socket, now);
    void Promise.resolve(socket.join([rooms.org(connected.orgId), rooms.staff(connected.actor.id), ...(signInKey ? [rooms.signIn(signInKey)] : [])]))
      // Joined first, then checked again: a change or sign-out made while this socket connected is caught here, and
      // one made after this check finds the socket in the rooms it disconnects.
      .then(async () => (await now()) !== null && (token !== undefined || (await sessionStillStored(socket.request as Request))))
      .then((current) => current || socket.disconnect(true))
      .catch((err: unknown) => {
        logger.error({ err }, 'staff socket check failed');
        socket.disconnect(true);
      });
    defineHandler(socket, 'me:get', z.object({}), async (ctx) => presentStaff(await getOwnProfile(ctx)));
    registerAgentChat(io, socket, consoles);
  });
  attachCustomerNamespace(io);

  const stopPushes = installPushes(io);

  return {
    io,
    close: () =>
      new Promise<void>((resolve) => {
        stopPushes();
        // The sockets' own disconnects start removing their consoles; what they leave (a change still in flight,
        // a write that failed) goes with this server's instance. A crashed server's consoles expire instead.
        io.close(() => {
          void Promise.allSettled([...consoles.pending])
            .then(() => dropInstanceConsoles(consoles.instance))
            .catch((err: unknown) => logger.error({ err }, "removing this server's consoles failed"))
            .finally(resolve);
        });
      }),
  };
}
