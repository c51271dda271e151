import type { Server, Socket } from 'socket.io';
import { z } from 'zod';
import { defineHandler, setCurrentContext } from './handler.js';
import { refusal, withinTimeLimit } from './refusal.js';
import { rooms } from './rooms.js';
import { visitorFromToken, type VisitorContext } from '../services/chat/visitors.js';
import { agentsOnline, customerHistory, customerRead, openSessionIdOf, rateSession, requestAgent, sendCustomerMessage, syncCustomer } from '../services/chat/customer-chat.js';
import { presentMessage, presentMessageForCustomer } from '../presenters/chat.js';
import { customerView } from './pushes.js';

const forCustomer = (message: Parameters<typeof presentMessage>[0]) => presentMessageForCustomer(presentMessage(message));
import { chatLimits } from '../services/settings/org-settings.js';
import { toAppError } from '../middlewares/errors.js';
import { logger } from '../logger.js';

const sessionId = z.string().regex(/^[0-9a-f]{24}$/, 'invalid');

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
    const ctx = socket.data.ctx as VisitorContext;
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

    defineHandler(socket, 'state', z.object({}), async (c: VisitorContext) => {
      const { session } = await syncCustomer(c, { afterSeq: Number.MAX_SAFE_INTEGER });
      return { session: session ? await customerView(session) : null, agentsOnline: await agentsOnline(c) };
    });
    const messageInput = z
      .object({ clientId: z.string().min(1).max(64), text: z.string().trim().max(chatLimits.messageMax, 'too_long').default(''), imageId: sessionId.optional() })
      .refine((m) => m.text.length > 0 || m.imageId, { path: ['text'], message: 'required' });
    defineHandler(socket, 'message:send', messageInput, async (c: VisitorContext, input) => {
      const { message, session } = await sendCustomerMessage(c, input);
      return { message: forCustomer(message), session: await customerView(session) };
    });
    defineHandler(socket, 'sync', z.object({ sessionId: sessionId.optional(), afterSeq: z.number().int().min(0) }), async (c: VisitorContext, input) => {
      const { session, messages } = await syncCustomer(c, input);
      return { session: session ? await customerView(session) : null, messages: messages.map(forCustomer) };
    });
    defineHandler(socket, 'history', z.object({ beforeSessionId: sessionId.optional(), limit: z.number().int().min(1).max(20).default(5) }), async (c: VisitorContext, input) => {
      const pages = await customerHistory(c, input);
      return { sessions: await Promise.all(pages.map(async (page) => ({ session: await customerView(page.session), messages: page.messages.map(forCustomer) }))) };
    });
    defineHandler(socket, 'request-agent', z.object({}), async (c: VisitorContext) => ({ session: await customerView(await requestAgent(c)) }));
    defineHandler(socket, 'read', z.object({ sessionId, seq: z.number().int().min(0) }), async (c: VisitorContext, input) => ({ session: await customerView(await customerRead(c, input)) }));
    defineHandler(socket, 'rate', z.object({ sessionId, score: z.number().int().min(1, 'out_of_range').max(5, 'out_of_range'), comment: z.string().trim().max(chatLimits.ratingCommentMax, 'too_long').default('') }), async (c: VisitorContext, input) => ({
      session: await customerView(await rateSession(c, input)),
    }));
    defineHandler(socket, 'typing', z.object({ typing: z.boolean() }), async (c: VisitorContext, input) => {
      const open = await openSessionIdOf(c);
      if (open) io.to(rooms.session(open)).emit('chat:typing', { sessionId: open, typing: input.typing });
      return {};
    });
  });
}
