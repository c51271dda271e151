import type { VisitorContext } from './visitors.js';
import { agentsOnline, syncCustomer } from './customer-chat.js';

/** What the chat page shows as it opens: the customer's open session (if any), and whether someone is there to answer. */
export async function customerChatState(ctx: VisitorContext) {
  const { session } = await syncCustomer(ctx, { afterSeq: Number.MAX_SAFE_INTEGER });
  return { session, agentsOnline: await agentsOnline(ctx) };
}
