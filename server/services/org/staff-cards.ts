import { Staff } from '../../models/staff.js';
import { Store } from '../../models/store.js';
import { Organization } from '../../models/organization.js';
import type { mongoose } from '../../db/connect.js';
import { toObjectId } from '../ids.js';

type Id = string | mongoose.Types.ObjectId;

/**
 * What the certified staff card (DOMAIN "Contact codes and the staff card") is made of, for several staff at once:
 * three queries whatever their number (the staff, their stores, the organisation), all within one organisation, so
 * another organisation's staff id finds nothing. Whether someone has a card at all (active) and whether their phone
 * is shown is the presenter's rule (presenters/staff-card.ts), so every page applies the same one.
 */
export async function staffCardsById(orgId: Id, staffIds: readonly (Id | null | undefined)[], known: { orgName?: string } = {}) {
  const org = toObjectId(orgId, 'organisation');
  const ids = [...new Set(staffIds.filter((id): id is Id => Boolean(id)).map(String))].map((id) => toObjectId(id, 'staff'));
  const staff = ids.length
    ? await Staff.find({ orgId: org, _id: { $in: ids } }, { realName: 1, title: 1, phone: 1, showPhoneToCustomers: 1, status: 1, storeId: 1 }).lean()
    : [];
  const storeIds = [...new Set(staff.flatMap((s) => (s.storeId ? [String(s.storeId)] : [])))].map((id) => toObjectId(id, 'store'));
  const [stores, organization] = await Promise.all([
    storeIds.length ? Store.find({ orgId: org, _id: { $in: storeIds } }, { name: 1, address: 1, location: 1 }).lean() : Promise.resolve([]),
    // A caller that read the organisation already says its name: not read twice.
    staff.length && known.orgName === undefined ? Organization.findById(org, { name: 1 }).lean() : Promise.resolve(null),
  ]);
  const storesById = new Map(stores.map((store) => [String(store._id), store]));
  const orgName = known.orgName ?? organization?.name ?? '';
  return new Map(staff.map((member) => [String(member._id), { staff: member, store: storesById.get(String(member.storeId)) ?? null, orgName }]));
}

/** One staff member's card as found here, before presenters/staff-card.ts decides what a customer sees of it. */
export type StaffCardRecord = NonNullable<ReturnType<Awaited<ReturnType<typeof staffCardsById>>['get']>>;
