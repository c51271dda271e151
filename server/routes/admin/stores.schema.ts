import { z } from 'zod';
import { optionalNumber, optionalText, requiredText } from '../../domain/input-fields.js';
import type { StoreInput } from '../../services/org/stores.js';
import type { StoreView } from '../../presenters/store.js';

export const storeSchema = z
  .object({
    name: requiredText(100),
    address: optionalText(300),
    city: optionalText(100),
    lng: optionalNumber(-180, 180),
    lat: optionalNumber(-90, 90),
  })
  .superRefine((v, ctx) => {
    if ((v.lng === undefined) !== (v.lat === undefined)) {
      ctx.addIssue({ code: 'custom', path: [v.lng === undefined ? 'lng' : 'lat'], message: 'coordinates_pair' });
    }
  })
  .transform((v): StoreInput => ({
    name: v.name,
    address: v.address,
    city: v.city,
    location: v.lng !== undefined && v.lat !== undefined ? { lng: v.lng, lat: v.lat } : undefined,
  }));

/** An id in the address; the service answers 404 for one that is not a record in reach. */
export const idParams = z.object({ id: z.string() });

/** The API's PATCH sends only the fields it changes: taken as is here, checked as a whole store once laid over the stored one. */
export const storePatchBody = z.unknown();

export function patchedStore(current: StoreView, patch: unknown): StoreInput {
  return storeSchema.parse({ ...current, ...(patch as object) });
}
