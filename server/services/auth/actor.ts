import type { StaffDoc } from '../../models/staff.js';
import type { Actor } from '../../policies/permissions.js';

export function actorOf(staff: Pick<StaffDoc, '_id' | 'orgId' | 'roles' | 'storeId'>): Actor {
  return {
    id: String(staff._id),
    orgId: String(staff.orgId),
    roles: [...staff.roles],
    storeId: staff.storeId ? String(staff.storeId) : null,
  };
}
