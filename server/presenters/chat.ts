import type { ChatMessageDoc, ChatSessionDoc } from '../models/chat-session.js';
import { sessionStateCodes } from '../models/chat-session.js';
import { presentStaffCard, type StaffCardParts } from './staff-card.js';

export type MessageView = ReturnType<typeof presentMessage>;

export function presentMessage(message: ChatMessageDoc) {
  return {
    id: String(message._id),
    sessionId: String(message.sessionId),
    seq: message.seq,
    /** The customer's number for it (notes carry the one before theirs): see presentMessageForCustomer. */
    visibleSeq: message.visibleSeq ?? message.seq,
    clientId: message.clientId,
    sender: message.sender,
    agentId: message.agentId ? String(message.agentId) : null,
    text: message.text,
    // Staff open images at /chat/images/<id>, the customer at /c/<channel key>/images/<id>.
    image: message.image ? { id: String(message.image.fileId), mime: message.image.mime, size: message.image.size } : null,
    internal: message.internal,
    createdAt: message.createdAt.toISOString(),
  };
}

/**
 * A message as the customer's side gets it: numbered in the customer's own sequence, which skips nothing (agents'
 * notes never reach the customer and take no number there).
 */
export function presentMessageForCustomer(view: MessageView) {
  const { visibleSeq, ...rest } = view;
  return { ...rest, seq: visibleSeq };
}

export type SessionView = ReturnType<typeof presentSession>;

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

export function presentSession(
  session: ChatSessionDoc,
  extra: { visitorName?: string; agentName?: string | null; queuePosition?: number | null; unread?: number } = {},
) {
  return {
    id: String(session._id),
    state: session.state,
    stateCode: sessionStateCodes[session.state],
    channelId: String(session.channelId),
    storeId: session.storeId ? String(session.storeId) : null,
    visitorId: String(session.visitorId),
    visitorName: extra.visitorName ?? null,
    customerId: session.customerId ? String(session.customerId) : null,
    agentId: session.agentId ? String(session.agentId) : null,
    agentName: extra.agentName ?? null,
    previousSessionId: session.previousSessionId ? String(session.previousSessionId) : null,
    seq: session.seq,
    queuedAt: iso(session.queuedAt),
    assignedAt: iso(session.assignedAt),
    closedAt: iso(session.closedAt),
    disposition: session.disposition ?? null,
    rating: session.rating ? { score: session.rating.score, comment: session.rating.comment } : null,
    lastMessageAt: iso(session.lastMessageAt),
    lastMessagePreview: session.lastMessagePreview,
    lastCustomerMessageAt: iso(session.lastCustomerMessageAt),
    agentMessagesSinceCustomer: session.agentMessagesSinceCustomer,
    customerReadSeq: session.customerReadSeq,
    agentReadSeq: session.agentReadSeq,
    queuePosition: extra.queuePosition ?? null,
    unread: extra.unread ?? 0,
    createdAt: iso(session.createdAt),
  };
}

/** What the customer's side may know of a session: no agent ids, notes or dispositions; who serves them as their staff card. */
export function presentSessionForCustomer(
  session: ChatSessionDoc,
  extra: { agentName?: string | null; agentCard?: StaffCardParts | null; queuePosition?: number | null },
) {
  return {
    id: String(session._id),
    state: session.state,
    stateCode: sessionStateCodes[session.state],
    // In the customer's numbering, like their messages' `seq`.
    seq: session.visibleSeq ?? session.seq,
    agentName: extra.agentName ?? null,
    agentCard: presentStaffCard(extra.agentCard),
    queuePosition: extra.queuePosition ?? null,
    agentReadSeq: session.agentReadVisibleSeq ?? session.agentReadSeq,
    rated: Boolean(session.rating),
    closedAt: iso(session.closedAt),
    createdAt: iso(session.createdAt),
  };
}

/** A past conversation in the console's sidebar. */
export function presentEarlierSession(session: Pick<ChatSessionDoc, '_id' | 'createdAt' | 'closedAt' | 'rating' | 'disposition'>) {
  return {
    id: String(session._id),
    createdAt: session.createdAt,
    closedAt: session.closedAt ?? null,
    rating: session.rating?.score ?? null,
    disposition: session.disposition ?? null,
  };
}
