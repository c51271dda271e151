import type { ChatSessionDoc } from '../../models/chat-session.js';
import type { OrgSettings } from '../settings/org-settings.js';

export type ReplyWindow = { open: boolean; remaining: number; closesAt: string | null; reason: 'no_customer_message' | 'window_expired' | 'limit_reached' | 'not_serving' | null };

/** DOMAIN: after the customer's latest message, at most N agent messages within H hours; each new customer message resets both. */
export function replyWindowOf(session: Pick<ChatSessionDoc, 'state' | 'lastCustomerMessageAt' | 'agentMessagesSinceCustomer'>, settings: Pick<OrgSettings, 'replyWindowHours' | 'replyWindowMessages'>, now: Date): ReplyWindow {
  if (!session.lastCustomerMessageAt) return { open: false, remaining: 0, closesAt: null, reason: 'no_customer_message' };
  const closesAt = new Date(new Date(session.lastCustomerMessageAt).getTime() + settings.replyWindowHours * 3_600_000);
  const remaining = Math.max(0, settings.replyWindowMessages - session.agentMessagesSinceCustomer);
  if (closesAt <= now) return { open: false, remaining: 0, closesAt: closesAt.toISOString(), reason: 'window_expired' };
  if (remaining === 0) return { open: false, remaining, closesAt: closesAt.toISOString(), reason: 'limit_reached' };
  if (session.state !== 'serving') return { open: false, remaining, closesAt: closesAt.toISOString(), reason: 'not_serving' };
  return { open: true, remaining, closesAt: closesAt.toISOString(), reason: null };
}
