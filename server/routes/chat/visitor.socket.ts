import type { Socket } from 'socket.io';
import { visitorEvent } from '../../http/socket.js';
import { rooms } from '../../realtime/rooms.js';
import * as chat from './visitor.endpoints.js';
import { historyPayload, sentPayload, sessionPayload, statePayload, syncPayload } from './visitor.view.js';

/** The customer's events on the `/customer` socket (docs/realtime.md, "Customer side"), one line each. */
export function mountVisitorEvents(socket: Socket): void {
  visitorEvent(socket, 'state', chat.state, { present: statePayload });
  visitorEvent(socket, 'message:send', chat.sendMessage, { present: sentPayload });
  visitorEvent(socket, 'sync', chat.sync, { present: syncPayload });
  visitorEvent(socket, 'history', chat.history, { present: historyPayload });
  visitorEvent(socket, 'request-agent', chat.askForAgent, { present: sessionPayload });
  visitorEvent(socket, 'read', chat.markRead, { present: sessionPayload });
  visitorEvent(socket, 'rate', chat.rate, { present: sessionPayload });
  // The agents with the conversation open hear it in its room.
  visitorEvent(socket, 'typing', chat.typing, {
    after: (open, { input }) => open && socket.nsp.server.to(rooms.session(open)).emit('chat:typing', { sessionId: open, typing: input.body.typing }),
    present: () => ({}),
  });
}
