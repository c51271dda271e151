import { clock } from '../../clock.js';
import { domainEvents } from '../events.js';
import { toObjectId } from '../ids.js';
import { followCustomerChanges } from './customer-changes.js';
import { deleteFollowupsOfCustomer, moveFollowupsWithCustomers } from './tasks.js';

/** Follow-ups react to customers added, edited, transferred or erased (installed once by installDomainReactions). */
export function installFollowupReactions(): void {
  domainEvents.onEvent('customers.changed', ({ orgId, customerIds }) => followCustomerChanges(orgId, customerIds, clock.now()));
  domainEvents.onRequiredEvent('customers.transferred', async ({ orgId, customerIds, toStaffId, toStoreId }) => {
    await moveFollowupsWithCustomers(orgId, customerIds, {
      staffId: toObjectId(toStaffId, 'staff'),
      storeId: toStoreId ? toObjectId(toStoreId, 'store') : null,
    });
    return {};
  });
  domainEvents.onRequiredEvent('customers.erased', ({ orgId, customerId }) => deleteFollowupsOfCustomer(orgId, toObjectId(customerId, 'customer')));
}
