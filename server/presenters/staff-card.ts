import type { StaffDoc } from '../models/staff.js';
import type { StoreDoc } from '../models/store.js';

/** What the card is made of (services/org/staff-cards.ts reads it for several staff at once). */
export type StaffCardParts = {
  staff: Pick<StaffDoc, 'realName' | 'title' | 'phone' | 'showPhoneToCustomers' | 'status'>;
  store: Pick<StoreDoc, 'name' | 'address' | 'location'> | null;
  orgName: string;
};

export type StaffCard = {
  realName: string;
  title: string;
  storeName: string;
  storeAddress: string;
  mapUrl: string | null;
  orgName: string;
  certified: true;
  phone: string | null;
};

// Amap's public URI API opens its web map or, on a phone, the Amap app; it takes its own (GCJ-02) coordinates.
const AMAP_URI = 'https://uri.amap.com';

/** A map link for a store: its coordinates when entered (the address may be ambiguous), else a search for its address. */
export function storeMapUrl(store: Pick<StoreDoc, 'name' | 'address' | 'location'> | null): string | null {
  if (!store) return null;
  const [lng, lat] = store.location?.coordinates ?? [];
  if (lng !== undefined && lat !== undefined) return `${AMAP_URI}/marker?position=${lng},${lat}&name=${encodeURIComponent(store.name)}&src=storelink`;
  if (store.address) return `${AMAP_URI}/search?keyword=${encodeURIComponent(store.address)}&src=storelink`;
  return null;
}

/**
 * The certified staff card a customer sees wherever they meet staff (DOMAIN "Contact codes and the staff card").
 * Someone who left has no card; the phone is there only when its owner chose to show it to customers.
 */
export function presentStaffCard(parts: StaffCardParts | null | undefined): StaffCard | null {
  if (!parts || parts.staff.status !== 'active') return null;
  const { staff, store, orgName } = parts;
  return {
    realName: staff.realName,
    title: staff.title ?? '',
    storeName: store?.name ?? '',
    storeAddress: store?.address ?? '',
    mapUrl: storeMapUrl(store),
    orgName,
    certified: true,
    phone: staff.showPhoneToCustomers && staff.phone ? staff.phone : null,
  };
}
