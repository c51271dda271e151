import { z } from 'zod';
import { optionalNumber, optionalText, requiredText } from './common.js';
import type { StoreInput } from '../../services/org/stores.js';

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
  .transform(
    (v): StoreInput => ({
      name: v.name,
      address: v.address,
      city: v.city,
      location: v.lng !== undefined && v.lat !== undefined ? { lng: v.lng, lat: v.lat } : undefined,
    }),
  );
