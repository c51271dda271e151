// Shared with the browser (client/agent): plain data in, plain data out, no server imports, so the console shows
// exactly the window the server enforces.

export type ReplyWindowReason = 'no_customer_message' | 'window_expired' | 'limit_reached' | 'not_serving';
export type ReplyWindow = { open: boolean; remaining: number; closesAt: string | null; reason: ReplyWindowReason | null };

/** The session's fields the rule reads: the documents on the server, their presented views (ISO dates) in the browser. */
export type ReplyWindowSession = { state: string; lastCustomerMessageAt?: Date | string | null; agentMessagesSinceCustomer?: number | null };
export type ReplyWindowLimits = { replyWindowHours: number; replyWindowMessages: number };

/** DOMAIN: after the customer's latest message, at most N agent messages within H hours; each new customer message resets both. */
export function replyWindowOf(session: ReplyWindowSession, settings: ReplyWindowLimits, now: Date): ReplyWindow {
  if (!session.lastCustomerMessageAt) return { open: false, remaining: 0, closesAt: null, reason: 'no_customer_message' };
  const closesAt = new Date(new Date(session.lastCustomerMessageAt).getTime() + settings.replyWindowHours * 3_600_000);
  const remaining = Math.max(0, settings.replyWindowMessages - (session.agentMessagesSinceCustomer ?? 0));
  if (closesAt <= now) return { open: false, remaining: 0, closesAt: closesAt.toISOString(), reason: 'window_expired' };
  if (remaining === 0) return { open: false, remaining, closesAt: closesAt.toISOString(), reason: 'limit_reached' };
  if (session.state !== 'serving') return { open: false, remaining, closesAt: closesAt.toISOString(), reason: 'not_serving' };
  return { open: true, remaining, closesAt: closesAt.toISOString(), reason: null };
}
