import type { Socket } from 'socket.io';
import { socketEvent } from '../../http/socket.js';
import type { ServiceContext } from '../../services/context.js';
import { rooms } from '../../realtime/rooms.js';
import * as chat from './console.endpoints.js';
import { conversationPayload, customerTagsPayload, linkedPayload, messagesPayload, overviewPayload, sentPayload, sessionPayload } from './console.view.js';

const empty = () => ({});

/**
 * The agent console's events on the staff socket (docs/realtime.md, "Agent side"), one line each. `live` resolves once
 * this console counts as live: going online routes the queue to this agent, so the console must count first.
 */
export function mountConsoleEvents(socket: Socket, live: Promise<void>): void {
  const joinSession = (_result: unknown, { input }: { input: { body: { sessionId: string } } }) => socket.join(rooms.session(input.body.sessionId));
  // One sender's messages are numbered in the order they were sent: a staff member's sends to a conversation are
  // handled one after another as they arrive, from every socket of theirs in this process (tabs included).
  const sender = (socket.data.ctx as ServiceContext).actor.id;
  const sendsOf = (payload: unknown) => `${sender}:${String((payload as { sessionId?: unknown } | null)?.sessionId)}`;

  socketEvent(socket, 'chat:overview', chat.overview, { present: overviewPayload });
  socketEvent(socket, 'chat:open', chat.openSession, { after: joinSession, present: (view, { ctx, t }) => conversationPayload(view, ctx, t) });
  socketEvent(socket, 'chat:leave', chat.leaveSession, { after: (_r, { input }) => socket.leave(rooms.session(input.body.sessionId)) });
  socketEvent(socket, 'chat:sync', chat.syncSession, { after: joinSession, present: messagesPayload });
  socketEvent(socket, 'chat:send', chat.sendMessage, { inTurnOf: sendsOf, present: sentPayload });
  socketEvent(socket, 'chat:accept', chat.accept, { after: joinSession, present: sessionPayload });
  socketEvent(socket, 'chat:transfer', chat.transfer, { present: sessionPayload });
  socketEvent(socket, 'chat:close', chat.close, { present: sessionPayload });
  socketEvent(socket, 'chat:read', chat.markRead, { present: sessionPayload });
  socketEvent(socket, 'chat:presence', chat.presence, { before: () => live, present: (status) => ({ status }) });
  socketEvent(socket, 'chat:customer-tags', chat.tagCustomer, { present: (customer, { ctx, t }) => customerTagsPayload(customer, ctx, t) });
  socketEvent(socket, 'chat:skills', chat.skills, { present: (skillTagIds) => ({ skillTagIds }) });
  socketEvent(socket, 'chat:link-customer', chat.link, { present: linkedPayload });
  // The customer's side hears it in her own room (every device of hers).
  socketEvent(socket, 'chat:typing', chat.typing, {
    after: (session, { input }) =>
      socket.nsp.server
        .of('/customer')
        .to(rooms.visitor(String(session.visitorId)))
        .emit('typing', { sessionId: input.body.sessionId, typing: input.body.typing }),
    present: empty,
  });
}
