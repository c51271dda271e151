import { presentMessage, presentMessageForCustomer } from '../../presenters/chat.js';
import { customerView } from '../../realtime/pushes.js';

/** The customer socket's ack payloads (docs/realtime.md, "Customer side"): her own view of sessions and messages, never notes. */

type Session = Parameters<typeof customerView>[0];
type Message = Parameters<typeof presentMessage>[0];

const forCustomer = (message: Message) => presentMessageForCustomer(presentMessage(message));
const sessionOrNull = (session: Session | null) => (session ? customerView(session) : Promise.resolve(null));

export async function statePayload({ session, agentsOnline }: { session: Session | null; agentsOnline: boolean }) {
  return { session: await sessionOrNull(session), agentsOnline };
}

export async function sentPayload({ message, session }: { message: Message; session: Session }) {
  return { message: forCustomer(message), session: await customerView(session) };
}

export async function syncPayload({ session, messages }: { session: Session | null; messages: Message[] }) {
  return { session: await sessionOrNull(session), messages: messages.map(forCustomer) };
}

export async function historyPayload(pages: { session: Session; messages: Message[] }[]) {
  return { sessions: await Promise.all(pages.map(async (page) => ({ session: await customerView(page.session), messages: page.messages.map(forCustomer) }))) };
}

export async function sessionPayload(session: Session) {
  return { session: await customerView(session) };
}
