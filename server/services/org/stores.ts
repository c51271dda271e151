import { Store, type StoreDoc } from '../../models/store.js';
import { ConflictError, NotFoundError } from '../../errors.js';
import { authorize } from '../../policies/permissions.js';
import { recordFields, scopeFilter } from '../../policies/scopes.js';
import type { ServiceContext } from '../context.js';
import { toObjectId } from '../ids.js';
import { recordAudit } from '../audit/record-audit.js';
import { isDuplicateKey } from '../mongo-errors.js';

export type StoreInput = {
  name: string;
  address: string;
  city: string;
  location?: { lng: number; lat: number } | undefined;
};

function toStoreFields(input: StoreInput) {
  return {
    name: input.name,
    address: input.address,
    city: input.city,
    location: input.location ? { type: 'Point' as const, coordinates: [input.location.lng, input.location.lat] as [number, number] } : undefined,
  };
}

export async function listStores(ctx: ServiceContext): Promise<StoreDoc[]> {
  return Store.find(scopeFilter(ctx, 'store.read', recordFields.store))
    .sort({ name: 1 })
    .lean<StoreDoc[]>();
}

/** All stores of the organisation, for pickers on forms the actor may already use. */
export async function listStoreChoices(ctx: ServiceContext): Promise<Pick<StoreDoc, '_id' | 'name'>[]> {
  return Store.find({ orgId: toObjectId(ctx.orgId) }, { name: 1 })
    .sort({ name: 1 })
    .lean();
}

export async function getStore(ctx: ServiceContext, storeId: string): Promise<StoreDoc> {
  const store = await Store.findOne({ _id: toObjectId(storeId, 'store'), orgId: toObjectId(ctx.orgId) }).lean<StoreDoc>();
  if (!store) throw new NotFoundError('No such store');
  authorize(ctx.actor, 'store.read', { storeId: String(store._id) });
  return store;
}

/** Checks that a store id from a form or body belongs to the organisation; another organisation's store is a 404. */
export async function assertStoreInOrg(ctx: ServiceContext, storeId: string): Promise<void> {
  const exists = await Store.exists({ _id: toObjectId(storeId, 'store'), orgId: toObjectId(ctx.orgId) });
  if (!exists) throw new NotFoundError('No such store');
}

export async function createStore(ctx: ServiceContext, input: StoreInput): Promise<StoreDoc> {
  authorize(ctx.actor, 'store.manage');
  try {
    const store = await Store.create({ orgId: toObjectId(ctx.orgId), ...toStoreFields(input) });
    await recordAudit(ctx, 'store.create', { type: 'store', id: String(store._id) }, { name: input.name });
    return store.toObject();
  } catch (err) {
    throw duplicateName(err);
  }
}

export async function updateStore(ctx: ServiceContext, storeId: string, input: StoreInput): Promise<StoreDoc> {
  authorize(ctx.actor, 'store.manage');
  const fields = toStoreFields(input);
  try {
    const store = await Store.findOneAndUpdate(
      { _id: toObjectId(storeId, 'store'), orgId: toObjectId(ctx.orgId) },
      fields.location ? { $set: fields } : { $set: { name: fields.name, address: fields.address, city: fields.city }, $unset: { location: 1 } },
      { returnDocument: 'after', runValidators: true },
    ).lean<StoreDoc>();
    if (!store) throw new NotFoundError('No such store');
    await recordAudit(ctx, 'store.update', { type: 'store', id: storeId }, { name: input.name });
    return store;
  } catch (err) {
    throw duplicateName(err);
  }
}

/** A partial change (the API's PATCH): `patchOf` lays it over the stored store and answers the whole, checked input. */
export async function patchStore(ctx: ServiceContext, storeId: string, patchOf: (stored: StoreDoc) => StoreInput): Promise<StoreDoc> {
  const stored = await getStore(ctx, storeId);
  return updateStore(ctx, String(stored._id), patchOf(stored));
}

function duplicateName(err: unknown): unknown {
  if (isDuplicateKey(err)) {
    return new ConflictError('A store with this name already exists.', {
      code: 'store_name_taken',
      messageKey: 'errors.store_name_taken',
      details: { fields: { name: ['taken'] } },
    });
  }
  return err;
}
