import { endpoint } from '../../http/endpoint.js';
import {
  customerMessagePayload,
  customerReadPayload,
  customerSyncPayload,
  customerTypingPayload,
  historyPayload,
  nothing,
  ratePayload,
} from './chat.schema.js';
import {
  customerHistory,
  customerRead,
  openSessionIdOf,
  rateSession,
  requestAgent,
  sendCustomerMessage,
  syncCustomer,
} from '../../services/chat/customer-chat.js';
import { customerChatState } from '../../services/chat/visitor-state.js';

/**
 * The chat customer's use cases, served on the customer socket (visitor.socket.ts). Their access is the visitor's:
 * the token the socket connected with, never a staff member's context; the services keep her to her own sessions.
 */

const visitor = 'visitor' as const;

export const state = endpoint({ access: visitor, input: { body: nothing }, run: (ctx) => customerChatState(ctx) });

export const sendMessage = endpoint({ access: visitor, input: { body: customerMessagePayload }, run: (ctx, { body }) => sendCustomerMessage(ctx, body) });

export const sync = endpoint({ access: visitor, input: { body: customerSyncPayload }, run: (ctx, { body }) => syncCustomer(ctx, body) });

export const history = endpoint({ access: visitor, input: { body: historyPayload }, run: (ctx, { body }) => customerHistory(ctx, body) });

export const askForAgent = endpoint({ access: visitor, input: { body: nothing }, run: (ctx) => requestAgent(ctx) });

export const markRead = endpoint({ access: visitor, input: { body: customerReadPayload }, run: (ctx, { body }) => customerRead(ctx, body) });

export const rate = endpoint({ access: visitor, input: { body: ratePayload }, run: (ctx, { body }) => rateSession(ctx, body) });

/** Typing goes to the session still open, if there is one; the signal itself is relayed by the socket. */
export const typing = endpoint({ access: visitor, input: { body: customerTypingPayload }, run: (ctx) => openSessionIdOf(ctx) });
