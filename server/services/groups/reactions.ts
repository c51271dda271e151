import { Staff } from '../../models/staff.js';
import { domainEvents } from '../events.js';
import { toObjectId } from '../ids.js';
import { moveGroupsWithOwner } from './groups.js';

/** The groups' share of a transfer (installed once by installDomainReactions). */
export function installGroupReactions(): void {
  // A departed clerk's groups follow her whole book to its new owner; a selection of customers leaves them.
  domainEvents.onRequiredEvent('customers.transferred', async ({ orgId, fromStaffId, wholeBook, toStaffId, toStoreId, by }) => {
    if (!fromStaffId || !wholeBook) return {};
    if (!(await Staff.exists({ orgId: toObjectId(orgId), _id: toObjectId(fromStaffId, 'staff'), status: 'left' }))) return {};
    const groupsMoved = await moveGroupsWithOwner(by, fromStaffId, {
      staffId: toObjectId(toStaffId, 'staff'),
      storeId: toStoreId ? toObjectId(toStoreId, 'store') : null,
    });
    return { groupsMoved };
  });
}
