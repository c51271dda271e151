import type { CustomerGroupDoc } from '../models/customer-group.js';
import { capOf } from '../domain/group-cap.js';

/** A group for staff pages and the API. `inviteUrl` is relative; pages make it absolute for the QR code. */
export function presentGroup(group: CustomerGroupDoc, orgCap: number, storeNames: Map<string, string> = new Map()) {
  const cap = capOf(group, orgCap);
  return {
    id: String(group._id),
    name: group.name,
    notice: group.notice,
    storeId: group.storeId ? String(group.storeId) : null,
    storeName: group.storeId ? (storeNames.get(String(group.storeId)) ?? '') : '',
    ownerId: String(group.ownerId),
    cap,
    ownCap: group.cap ?? null,
    memberCount: group.memberCount,
    full: group.memberCount >= cap,
    followOnGroupId: group.followOnId ? String(group.followOnId) : null,
    status: group.status,
    inviteUrl: `/g/${group.inviteKey}`,
    createdAt: group.createdAt,
  };
}

/** What a customer sees of a group: no invite key, no owner id. */
export function presentGroupForMember(group: CustomerGroupDoc) {
  return { id: String(group._id), name: group.name, notice: group.notice, memberCount: group.memberCount };
}
