import { z } from 'zod';
import { checkbox, timeOfDay } from '../../domain/input-fields.js';

/** The signed-in person's own do-not-disturb window and reminder address. */
export const reminderSettingsSchema = z.object({
  dndStart: timeOfDay,
  dndEnd: timeOfDay,
  email: z.preprocess(
    (v) => (v === undefined || v === null ? '' : v),
    z
      .string()
      .trim()
      .max(254, 'too_long')
      .pipe(z.union([z.literal(''), z.email('email')])),
  ),
});

/** What the signed-in person shows customers on her staff card (an unticked box sends nothing: not shown). */
export const cardSettingsSchema = z.object({ showPhoneToCustomers: checkbox });
