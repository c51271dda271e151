import type { StoreDoc } from '../../models/store.js';
import type { ServiceContext } from '../../services/context.js';
import { getStore } from '../../services/org/stores.js';
import { presentStore } from '../../presenters/store.js';

/** View models of the store admin pages. */

type T = (key: string, params?: Record<string, unknown>) => string;

export const storeListModel = (stores: StoreDoc[], t: T) => ({ title: t('stores.title'), stores: stores.map(presentStore) });

export const newStoreModel = (t: T) => ({ title: t('stores.new'), action: '/admin/stores' });

export const editStoreModel = (storeId: string, t: T) => ({ title: t('stores.edit'), action: `/admin/stores/${storeId}`, editing: true });

/** The edit form shown again: only for a store in reach (another's id answers 404, as the edit page does). */
export async function editStoreAgainModel(ctx: ServiceContext, storeId: string, t: T) {
  const store = await getStore(ctx, storeId);
  return editStoreModel(String(store._id), t);
}
