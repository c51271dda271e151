import type { Server } from 'socket.io';
import { rooms } from './rooms.js';
import { domainEvents } from '../services/events.js';
import { customerSessionExtras } from '../services/chat/customer-chat.js';
import type { ChatSessionDoc } from '../models/chat-session.js';
import { presentMessage, presentMessageForCustomer, presentSession, presentSessionForCustomer } from '../presenters/chat.js';
import { logger } from '../logger.js';

/** A session as the customer's side sees it (the chat page's pushes and its answers). */
export async function customerView(session: ChatSessionDoc) {
  return presentSessionForCustomer(session, await customerSessionExtras(session));
}

/**
 * The one place where domain events become pushes: services emit documents or ids after the write, and each event
 * is presented here for the rooms that should hear of it. Gives back the way to stop listening.
 */
export function installPushes(io: Server): () => void {
  // Pushes follow the write: the customer's devices (never internal notes), the agents with the conversation open,
  // the assigned agent's tabs, and the organisation's queue watchers for session changes.
  const stopMessages = domainEvents.onEvent('chat.message', ({ sessionId, visitorId, agentId, internal, message, servedSession, origin }) => {
    // Presented once for both sides: the customer's copy is the agents' one renumbered. The device it came from has it
    // in its acknowledgement; the customer's other devices get it here.
    const view = presentMessage(message);
    if (!internal) {
      const devices = io.of('/customer').to(rooms.visitor(visitorId));
      (origin ? devices.except(origin) : devices).emit('message', presentMessageForCustomer(view));
    }
    // Those serving get the session the message left (a customer's message reopens the reply window) in the same push.
    io.to([rooms.session(sessionId), ...(agentId ? [rooms.staff(agentId)] : [])]).emit('chat:message', {
      sessionId,
      message: view,
      ...(servedSession ? { session: presentSession(servedSession, { visitorName: servedSession.visitorName }) } : {}),
    });
  });
  const stopSessions = domainEvents.onEvent('chat.session', ({ orgId, sessionId, visitorId, agentId, previousAgentId, session }) => {
    const targets = [
      rooms.queue(orgId),
      ...(session.storeId ? [rooms.storeQueue(orgId, String(session.storeId))] : []),
      rooms.session(sessionId),
      ...(agentId ? [rooms.staff(agentId)] : []),
      ...(previousAgentId ? [rooms.staff(previousAgentId)] : []),
      ...(session.ownerId ? [rooms.staff(String(session.ownerId))] : []),
    ];
    io.to(targets).emit('chat:session', presentSession(session, { visitorName: session.visitorName }));
    customerView(session)
      .then((view) => io.of('/customer').to(rooms.visitor(visitorId)).emit('session', view))
      .catch((err: unknown) => logger.error({ err }, 'chat push failed'));
  });
  const stopForgetting = domainEvents.onEvent('chat.visitors_forgotten', ({ visitorIds }) => {
    if (visitorIds.length)
      io.of('/customer')
        .to(visitorIds.map((id) => rooms.visitor(id)))
        .disconnectSockets(true);
  });
  // Through the adapter, so the sockets end in every process; the client connects again with what it has now.
  const endStaffSockets = ({ staffId }: { staffId: string }) => io.to(rooms.staff(staffId)).disconnectSockets(true);
  const stopRevoking = domainEvents.onEvent('staff.access_revoked', endStaffSockets);
  const stopChanging = domainEvents.onEvent('staff.access_changed', endStaffSockets);
  const stopSigningOut = domainEvents.onEvent('staff.signed_out', ({ signInKey }) => io.to(rooms.signIn(signInKey)).disconnectSockets(true));
  // Delivered only outside the staff member's do-not-disturb window (the digest service decides when).
  const stopDigests = domainEvents.onEvent('followups.digest_delivered', ({ staffId, date, counts }) => {
    io.to(rooms.staff(staffId)).emit('followups:digest', { date, counts });
  });
  const stopReactions = domainEvents.onEvent('moments.reaction', ({ authorId, postId, kind, unseen }) => {
    io.to(rooms.staff(authorId)).emit('moments:reaction', { postId, kind, unseen });
  });
  return () => {
    stopRevoking();
    stopChanging();
    stopSigningOut();
    stopForgetting();
    stopMessages();
    stopSessions();
    stopDigests();
    stopReactions();
  };
}
