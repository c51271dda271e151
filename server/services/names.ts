import { Customer } from '../models/customer.js';
import { Staff } from '../models/staff.js';
import { Store } from '../models/store.js';
import type { mongoose } from '../db/connect.js';

/**
 * Names to show beside records that hold only ids (posts, tasks, campaign rows): one query per kind for a whole
 * page. An erased customer has no name to show.
 */
export async function staffNamesById(orgId: mongoose.Types.ObjectId, ids: mongoose.Types.ObjectId[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const staff = await Staff.find({ orgId, _id: { $in: uniqueIds(ids) } }, { realName: 1 }).lean();
  return new Map(staff.map((s) => [String(s._id), s.realName]));
}

export async function customerNamesById(orgId: mongoose.Types.ObjectId, ids: mongoose.Types.ObjectId[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const customers = await Customer.find({ orgId, _id: { $in: uniqueIds(ids) } }, { name: 1, erasedAt: 1 }).lean();
  return new Map(customers.map((c) => [String(c._id), c.erasedAt ? '' : c.name]));
}

export async function storeNamesById(orgId: mongoose.Types.ObjectId, ids: mongoose.Types.ObjectId[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const stores = await Store.find({ orgId, _id: { $in: uniqueIds(ids) } }, { name: 1 }).lean();
  return new Map(stores.map((s) => [String(s._id), s.name]));
}

function uniqueIds(ids: mongoose.Types.ObjectId[]): mongoose.Types.ObjectId[] {
  return [...new Map(ids.map((id) => [String(id), id])).values()];
}
