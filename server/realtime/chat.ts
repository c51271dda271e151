import type { Server, Socket } from 'socket.io';
import { z } from 'zod';
import { defineHandler } from './handler.js';
import { rooms } from './rooms.js';
import type { ServiceContext } from '../services/context.js';
import { can, scopeOf } from '../policies/permissions.js';
import { setChatSkills, consoleHeartbeat, sidebarCustomer, tagSessionCustomer, agentOverview, acceptSession, agentRead, closeSession, consoleConnected, consoleDisconnected, linkCustomer, openConversation, sendAgentMessage, sessionInReach, setPresence, syncAgent, transferSession } from '../services/chat/agent-chat.js';
import { presentEarlierSession, presentMessage, presentSession } from '../presenters/chat.js';
import { presenceStates, dispositions } from '../models/chat-session.js';
import { chatLimits } from '../services/settings/org-settings.js';
import { maskPhone } from '../presenters/customer.js';
import { logger } from '../logger.js';
import { HEARTBEAT_MS } from '../services/chat/presence.js';
import { i18n } from '../i18n/index.js';

const objectId = z.string().regex(/^[0-9a-f]{24}$/, 'invalid');
const sessionId = objectId;
const clientId = z.string().min(1).max(64);
const seq = z.number().int().min(0);

/** Timeline entries with their words in the staff member's language (the console shows them as they are). */
function labelled(timeline: { type: string; at: string; count: number }[], locale = 'zh-CN') {
  return timeline.map((entry) => ({ ...entry, label: i18n.t(`timeline.${entry.type}`, { lng: locale }) }));
}

/** This realtime server's consoles: its id (written on each console) and the presence changes still in flight. */
export type ConsoleTracker = { instance: string; pending: Set<Promise<void>> };

/**
 * Rooms and presence of a console, for the access the socket connected with (a change of access ends the socket).
 * The console's presence changes run one after another (connected, heartbeats, disconnected), so a late heartbeat
 * can never bring back a console that closed. Resolves once the console counts as live.
 */
function joinConsole(socket: Socket, ctx: ServiceContext, tracker: ConsoleTracker): Promise<void> {
  // Session changes go to the whole organisation's chat staff, or to a store's when the actor's reach is one store;
  // a clerk hears of their own customers' sessions through their staff room.
  const scope = scopeOf(ctx.actor, 'chat.serve');
  if (!scope) return Promise.resolve();
  if (scope === 'org') void socket.join(rooms.queue(ctx.orgId));
  else if (scope === 'store') void socket.join(rooms.storeQueue(ctx.orgId, ctx.actor.storeId ?? 'none'));
  const console = { id: socket.id, instance: tracker.instance };
  let chain = Promise.resolve();
  const then = (step: () => Promise<void>) => {
    chain = chain.then(step).catch((err: unknown) => logger.error({ err }, 'console presence failed'));
    const tracked = chain;
    tracker.pending.add(tracked);
    void tracked.then(() => tracker.pending.delete(tracked));
    return tracked;
  };
  const connected = then(() => consoleConnected(ctx, console));
  const heartbeat = setInterval(() => void then(() => consoleHeartbeat(ctx, console)), HEARTBEAT_MS);
  heartbeat.unref();
  socket.on('disconnect', () => {
    clearInterval(heartbeat);
    void then(() => consoleDisconnected(ctx, console.id));
  });
  return connected;
}

/**
 * The agent console's events on the default namespace (staff, authenticated by their browser session). They are
 * answered for every staff member, so that someone without the chat permission (or who just lost it) is refused
 * by the services with `forbidden` instead of waiting for an answer that never comes.
 */
export function registerAgentChat(io: Server, socket: Socket, tracker: ConsoleTracker): void {
  const live = joinConsole(socket, socket.data.ctx as ServiceContext, tracker);

  defineHandler(socket, 'chat:overview', z.object({}), async (c) => {
    const view = await agentOverview(c);
    return {
      presence: view.presence,
      activeSessions: view.activeSessions,
      maxSessions: view.maxSessions,
      mine: view.mine.map((s, i) => presentSession(s, { visitorName: view.names.get(String(s.visitorId)), unread: view.unread[i] })),
      queue: view.queue.map((s, i) => presentSession(s, { visitorName: view.names.get(String(s.visitorId)), queuePosition: i + 1 })),
    };
  });
  defineHandler(socket, 'chat:open', z.object({ sessionId }), async (c, input) => {
    const view = await openConversation(c, input.sessionId);
    await socket.join(rooms.session(input.sessionId));
    return {
      session: presentSession(view.session, { visitorName: view.visitor.name, agentName: view.agentName, queuePosition: view.queuePosition }),
      messages: view.messages.map(presentMessage),
      replyWindow: view.replyWindow,
      visitor: { name: view.visitor.name, phone: view.visitor.phone ? maskPhone(view.visitor.phone) : '' },
      customer: view.customer
        ? {
            id: String(view.customer._id),
            name: view.customer.name,
            phone: maskPhone(view.customer.phone),
            notes: view.customer.notes,
            canOpen: can(c.actor, 'customer.read'),
            ...(await sidebarCustomer(c, view.customer).then((side) => ({ ...side, timeline: labelled(side.timeline, socket.data.locale as string | undefined) }))),
          }
        : null,
      earlier: view.earlier.map(presentEarlierSession),
    };
  });
  defineHandler(socket, 'chat:leave', z.object({ sessionId }), async (_c, input) => {
    await socket.leave(rooms.session(input.sessionId));
    return {};
  });
  defineHandler(socket, 'chat:sync', z.object({ sessionId, afterSeq: seq }), async (c, input) => {
    const { session, messages } = await syncAgent(c, input);
    await socket.join(rooms.session(input.sessionId));
    return { session: presentSession(session), messages: messages.map(presentMessage) };
  });
  // One sender's messages are numbered in the order they were sent: a staff member's sends to a conversation are
  // handled one after another as they arrive, from every socket of theirs in this process (tabs included).
  const sender = (socket.data.ctx as ServiceContext).actor.id;
  const sendsOf = (payload: unknown) => `${sender}:${String((payload as { sessionId?: unknown } | null)?.sessionId)}`;
  defineHandler(
    socket,
    'chat:send',
    z
      .object({ sessionId, clientId, text: z.string().trim().max(chatLimits.messageMax, 'too_long').default(''), internal: z.boolean().default(false), imageId: objectId.optional() })
      .refine((m) => m.text.length > 0 || m.imageId, { path: ['text'], message: 'required' }),
    async (c, input) => {
      const { message, session } = await sendAgentMessage(c, input);
      return { message: presentMessage(message), session: presentSession(session) };
    },
    { inTurnOf: sendsOf },
  );
  defineHandler(socket, 'chat:accept', z.object({ sessionId }), async (c, input) => {
    const session = await acceptSession(c, input.sessionId);
    await socket.join(rooms.session(input.sessionId));
    return { session: presentSession(session) };
  });
  defineHandler(socket, 'chat:transfer', z.object({ sessionId, toAgentId: z.string().regex(/^[0-9a-f]{24}$/).nullable(), toStoreId: z.string().regex(/^[0-9a-f]{24}$/).nullable().optional(), note: z.string().trim().max(chatLimits.noteMax).default('') }), async (c, input) => ({
    session: presentSession(await transferSession(c, input)),
  }));
  defineHandler(socket, 'chat:close', z.object({ sessionId, disposition: z.enum(dispositions).default('resolved') }), async (c, input) => ({ session: presentSession(await closeSession(c, input)) }));
  defineHandler(socket, 'chat:read', z.object({ sessionId, seq }), async (c, input) => ({ session: presentSession(await agentRead(c, input)) }));
  defineHandler(socket, 'chat:presence', z.object({ status: z.enum(presenceStates) }), async (c, input) => {
    // Going online routes the queue to this agent: their console must count as live first.
    await live;
    return { status: await setPresence(c, input.status) };
  });
  defineHandler(socket, 'chat:customer-tags', z.object({ sessionId, add: z.array(z.string().max(64)).max(50).default([]), remove: z.array(z.string().max(64)).max(50).default([]) }), async (c, input) => {
    const customer = await tagSessionCustomer(c, input);
    const { tags, timeline } = await sidebarCustomer(c, customer);
    return { tags, timeline: labelled(timeline, socket.data.locale as string | undefined) };
  });
  defineHandler(socket, 'chat:skills', z.object({ tagIds: z.array(z.string().max(64)).max(100) }), async (c, input) => ({ skillTagIds: await setChatSkills(c, input.tagIds) }));
  defineHandler(socket, 'chat:link-customer', z.object({ sessionId, customerId: z.string().regex(/^[0-9a-f]{24}$/).nullable() }), async (c, input) => {
    const linked = await linkCustomer(c, input);
    return { session: presentSession(linked.session), earlier: linked.earlier.map(presentEarlierSession) };
  });
  defineHandler(socket, 'chat:typing', z.object({ sessionId, typing: z.boolean() }), async (c, input) => {
    const session = await sessionInReach(c, input.sessionId);
    io.of('/customer').to(rooms.visitor(String(session.visitorId))).emit('typing', { sessionId: input.sessionId, typing: input.typing });
    return {};
  });
}
