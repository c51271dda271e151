import { endpoint } from '../../http/endpoint.js';
import {
  agentMessagePayload,
  agentSyncPayload,
  agentTypingPayload,
  closePayload,
  customerTagsPayload,
  linkCustomerPayload,
  nothing,
  presencePayload,
  readPayload,
  sessionRef,
  skillsPayload,
  transferPayload,
} from './chat.schema.js';
import {
  acceptSession,
  agentOverview,
  agentRead,
  closeSession,
  linkCustomer,
  openConversation,
  sendAgentMessage,
  sessionInReach,
  setChatSkills,
  setPresence,
  syncAgent,
  tagSessionCustomer,
  transferSession,
} from '../../services/chat/agent-chat.js';

/**
 * The agent console's use cases, served as socket events (console.socket.ts). Everyone with the chat permission may
 * reach them; the services then check the session in reach (store, own customers) and who serves it.
 */

const serve = { permission: 'chat.serve' } as const;

export const overview = endpoint({ access: serve, input: { body: nothing }, run: (ctx) => agentOverview(ctx) });

export const openSession = endpoint({ access: serve, input: { body: sessionRef }, run: (ctx, { body }) => openConversation(ctx, body.sessionId) });

/** Nothing is stored: leaving the conversation's room is the socket's part. */
export const leaveSession = endpoint({ access: serve, input: { body: sessionRef }, run: async () => ({}) });

export const syncSession = endpoint({ access: serve, input: { body: agentSyncPayload }, run: (ctx, { body }) => syncAgent(ctx, body) });

export const sendMessage = endpoint({ access: serve, input: { body: agentMessagePayload }, run: (ctx, { body }) => sendAgentMessage(ctx, body) });

export const accept = endpoint({ access: serve, input: { body: sessionRef }, run: (ctx, { body }) => acceptSession(ctx, body.sessionId) });

export const transfer = endpoint({ access: serve, input: { body: transferPayload }, run: (ctx, { body }) => transferSession(ctx, body) });

export const close = endpoint({ access: serve, input: { body: closePayload }, run: (ctx, { body }) => closeSession(ctx, body) });

export const markRead = endpoint({ access: serve, input: { body: readPayload }, run: (ctx, { body }) => agentRead(ctx, body) });

export const presence = endpoint({ access: serve, input: { body: presencePayload }, run: (ctx, { body }) => setPresence(ctx, body.status) });

export const tagCustomer = endpoint({ access: serve, input: { body: customerTagsPayload }, run: (ctx, { body }) => tagSessionCustomer(ctx, body) });

export const skills = endpoint({ access: serve, input: { body: skillsPayload }, run: (ctx, { body }) => setChatSkills(ctx, body.tagIds) });

export const link = endpoint({ access: serve, input: { body: linkCustomerPayload }, run: (ctx, { body }) => linkCustomer(ctx, body) });

/** Typing is only said to a session in reach; the signal itself is relayed by the socket (console.socket.ts). */
export const typing = endpoint({ access: serve, input: { body: agentTypingPayload }, run: (ctx, { body }) => sessionInReach(ctx, body.sessionId) });
