import { ChatSession } from '../../models/chat-session.js';
import { domainEvents } from '../events.js';
import { toObjectId } from '../ids.js';
import { eraseConversationsOf } from './erase.js';

/** Conversations follow their customer to the new clerk. */
export async function moveConversationsWithCustomers(orgId: string, customerIds: string[], toStaffId: string): Promise<void> {
  if (!customerIds.length) return;
  await ChatSession.updateMany(
    { orgId: toObjectId(orgId), customerId: { $in: customerIds.map((id) => toObjectId(id)) } },
    { $set: { ownerId: toObjectId(toStaffId, 'staff') } },
  );
}

/** The chat's share of a transfer and of an erasure (installed once by installDomainReactions). */
export function installChatReactions(): void {
  domainEvents.onRequiredEvent('customers.transferred', async ({ orgId, customerIds, toStaffId }) => {
    await moveConversationsWithCustomers(orgId, customerIds, toStaffId);
    return {};
  });
  domainEvents.onRequiredEvent('customers.erased', ({ orgId, customerId }) => eraseConversationsOf(toObjectId(orgId), toObjectId(customerId, 'customer')));
}
