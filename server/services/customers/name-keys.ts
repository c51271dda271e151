import { Customer } from '../../models/customer.js';
import { nameKeyOf } from '../../models/customer-name-key.js';
import { Organization } from '../../models/organization.js';

const BATCH = 1_000;

/**
 * Back-fill of the name sort key for customers stored before it existed (a data migration, run once); every write
 * keeps it since (models/customer-name-key.ts). An empty key is a missing one: names are never empty. Returns how
 * many customers it filled.
 */
export async function backfillCustomerNameKeys(): Promise<number> {
  let filled = 0;
  for (const org of await Organization.find({}, { _id: 1 }).lean()) {
    for (;;) {
      const missing = await Customer.find({ orgId: org._id, nameKey: { $in: [null, ''] } }, { name: 1 })
        .limit(BATCH)
        .lean();
      if (!missing.length) break;
      await Customer.bulkWrite(
        missing.map((c) => ({
          updateOne: { filter: { _id: c._id, orgId: org._id }, update: { $set: { nameKey: nameKeyOf(c.name ?? '') } }, timestamps: false },
        })),
        { ordered: false },
      );
      filled += missing.length;
    }
  }
  return filled;
}
