import type { Server, Socket } from 'socket.io';
import { setCurrentContext } from './handler.js';
import { refusal, withinTimeLimit } from './refusal.js';
import { rooms } from './rooms.js';
import { visitorFromToken, type VisitorContext } from '../services/chat/visitors.js';
import { toAppError } from '../middlewares/errors.js';
import { logger } from '../logger.js';
import { mountVisitorEvents } from '../routes/chat/visitor.socket.js';

/**
 * The customer's side, on its own namespace `/customer`: authenticated by the visitor token (handshake
 * `auth.token`); a bad or expired token is refused with a `connect_error` whose `data` says why.
 */
export function attachCustomerNamespace(io: Server): void {
  const nsp = io.of('/customer');
  nsp.use(async (socket, next) => {
    const auth = (socket.handshake.auth ?? {}) as { token?: unknown; lang?: unknown };
    socket.data.locale = auth.lang === 'en' ? 'en' : 'zh-CN';
    try {
      const { ctx } = await withinTimeLimit(io, visitorFromToken(auth.token));
      socket.data.ctx = ctx;
      next();
    } catch (err) {
      next(refusal(err, socket.data.locale as string, { code: 'invalid_token', messageKey: 'chat.errors.invalidToken' }));
    }
  });

  nsp.on('connection', (socket: Socket) => {
    // The socket's own id names the origin of its requests: what it sends comes back in its answer, not as a push.
    const ctx: VisitorContext = { ...(socket.data.ctx as VisitorContext), origin: socket.id };
    // A visitor's token only ever ends (forget, erasure), and ending it disconnects the visitor's room in every
    // process; so the token is checked at connection, not again per message, which keeps a read off the customer's
    // message path (the one the chat benchmark measures).
    setCurrentContext(socket, () => Promise.resolve(ctx));
    void Promise.resolve(socket.join(rooms.visitor(ctx.visitorId)))
      // Joined first, then checked again: a token ended while this socket connected is caught here, and one ended
      // after this check finds the socket in the room it disconnects.
      .then(() => visitorFromToken((socket.handshake.auth as { token?: unknown }).token))
      .catch((err: unknown) => {
        if (!toAppError(err)) logger.error({ err }, 'customer socket check failed');
        socket.disconnect(true);
      });

    mountVisitorEvents(socket);
  });
}
