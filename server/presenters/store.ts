import type { StoreDoc } from '../models/store.js';

export type StoreView = { id: string; name: string; address: string; city: string; lng: number | null; lat: number | null };

export function presentStore(store: StoreDoc): StoreView {
  const [lng, lat] = store.location?.coordinates ?? [];
  return { id: String(store._id), name: store.name, address: store.address, city: store.city, lng: lng ?? null, lat: lat ?? null };
}

export function storeNameMap(stores: Pick<StoreDoc, '_id' | 'name'>[]): Map<string, string> {
  return new Map(stores.map((store) => [String(store._id), store.name]));
}
