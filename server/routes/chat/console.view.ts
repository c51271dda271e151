import type { ServiceContext } from '../../services/context.js';
import type { CustomerDoc } from '../../models/customer.js';
import type { ChatMessageDoc, ChatSessionDoc } from '../../models/chat-session.js';
import { agentOverview, openConversation, sidebarCustomer } from '../../services/chat/agent-chat.js';
import { presentEarlierSession, presentMessage, presentSession } from '../../presenters/chat.js';
import { maskPhone } from '../../presenters/customer.js';
import { flagsFor } from '../../policies/flags.js';
import { customerReadRef } from '../../policies/scopes.js';

/** The agent console's ack payloads (docs/realtime.md, "Agent side"): what a console gets, never a document. */

type T = (key: string, params?: Record<string, unknown>) => string;

/** Timeline entries with their words in the staff member's language (the console shows them as they are). */
function labelled(timeline: { type: string; at: string; count: number }[], t: T) {
  return timeline.map((entry) => ({ ...entry, label: t(`timeline.${entry.type}`) }));
}

export function overviewPayload(view: Awaited<ReturnType<typeof agentOverview>>) {
  return {
    presence: view.presence,
    activeSessions: view.activeSessions,
    maxSessions: view.maxSessions,
    mine: view.mine.map((s, i) => presentSession(s, { visitorName: view.names.get(String(s.visitorId)), unread: view.unread[i] })),
    queue: view.queue.map((s, i) => presentSession(s, { visitorName: view.names.get(String(s.visitorId)), queuePosition: i + 1 })),
  };
}

async function sidebarPayload(ctx: ServiceContext, customer: CustomerDoc, t: T) {
  const side = await sidebarCustomer(ctx, customer);
  return { ...side, timeline: labelled(side.timeline, t) };
}

export async function conversationPayload(view: Awaited<ReturnType<typeof openConversation>>, ctx: ServiceContext, t: T) {
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
          // Only a customer her read scope reaches gets a link (an agent reads the customers shared with her).
          canOpen: flagsFor(ctx.actor, { canOpen: ['customer.read', customerReadRef(ctx.actor, view.customer)] }).canOpen,
          ...(await sidebarPayload(ctx, view.customer, t)),
        }
      : null,
    earlier: view.earlier.map(presentEarlierSession),
  };
}

export function messagesPayload({ session, messages }: { session: ChatSessionDoc; messages: ChatMessageDoc[] }) {
  return { session: presentSession(session), messages: messages.map(presentMessage) };
}

export function sentPayload({ message, session }: { message: ChatMessageDoc; session: ChatSessionDoc }) {
  return { message: presentMessage(message), session: presentSession(session) };
}

export function sessionPayload(session: ChatSessionDoc) {
  return { session: presentSession(session) };
}

/** The customer's tags and timeline after tagging, as the sidebar shows them. */
export async function customerTagsPayload(customer: CustomerDoc, ctx: ServiceContext, t: T) {
  const { tags, timeline } = await sidebarPayload(ctx, customer, t);
  return { tags, timeline };
}

export function linkedPayload(linked: { session: ChatSessionDoc; earlier: Parameters<typeof presentEarlierSession>[0][] }) {
  return { session: presentSession(linked.session), earlier: linked.earlier.map(presentEarlierSession) };
}
