import type { Writable } from 'node:stream';
import { Customer, type CustomerDoc } from '../../models/customer.js';
import { Tag } from '../../models/tag.js';
import { Store } from '../../models/store.js';
import { Staff } from '../../models/staff.js';
import { authorize, can } from '../../policies/permissions.js';
import type { ServiceContext } from '../context.js';
import { toObjectId } from '../ids.js';
import { recordAudit } from '../audit/record-audit.js';
import { maskPhone } from '../../domain/phone-mask.js';
import { usableTagFilter } from '../tags/tags.js';
import { customerFilter, type CustomerFilter } from './customers.js';
import { formatBirthday, formatRelatives } from './csv-format.js';
import { csvColumns, exportOnlyColumns } from '../../domain/customer-csv.js';
import { writeCsv } from '../../domain/csv.js';

/**
 * Streams the customers of a filter as CSV (constant memory: a cursor piped through the CSV writer).
 * Full numbers only for the personal-data permission; the route asks for the password first. Audited.
 */
export async function exportCustomersCsv(ctx: ServiceContext, query: CustomerFilter, out: Writable): Promise<number> {
  authorize(ctx.actor, 'customer.read');
  const filter = await customerFilter(ctx, query);
  const orgId = toObjectId(ctx.orgId);
  const [tags, stores, staff] = await Promise.all([
    Tag.find(usableTagFilter(ctx), { name: 1 }).lean(),
    Store.find({ orgId }, { name: 1 }).lean(),
    Staff.find({ orgId }, { realName: 1 }).lean(),
  ]);
  const names = (rows: { _id: unknown; name?: string; realName?: string }[]) => new Map(rows.map((r) => [String(r._id), r.name ?? r.realName ?? '']));
  const [tagNames, storeNames, staffNames] = [names(tags), names(stores), names(staff)];
  const fullPhones = (customer: CustomerDoc) =>
    can(ctx.actor, 'customer.personal_data', {
      storeId: customer.storeId ? String(customer.storeId) : null,
      ownerId: customer.ownerId ? String(customer.ownerId) : null,
    });

  // Recorded before the download starts, so an interrupted export is on record too.
  const count = await Customer.countDocuments(filter);
  // The search text may hold a name or number: the audit says a search was used, not what it was.
  await recordAudit(ctx, 'customer.export', undefined, { count, filter: { ...query, q: query.q ? '[search]' : '' } });
  await writeCsv(
    Customer.find(filter).sort({ _id: 1 }).lean<CustomerDoc[]>().cursor(),
    [...csvColumns, ...exportOnlyColumns],
    (customer: CustomerDoc) => [
      customer.name,
      fullPhones(customer) ? customer.phone : maskPhone(customer.phone),
      customer.gender,
      formatBirthday(customer.birthday),
      formatRelatives(customer.relatives ?? []),
      (customer.tagIds ?? [])
        .map((id) => tagNames.get(String(id)))
        .filter(Boolean)
        .join(';'),
      customer.source,
      customer.notes,
      customer.storeId ? (storeNames.get(String(customer.storeId)) ?? '') : '',
      customer.ownerId ? (staffNames.get(String(customer.ownerId)) ?? '') : '',
      (customer.createdAt ?? (customer._id as { getTimestamp(): Date }).getTimestamp()).toISOString(),
    ],
    out,
  );
  return count;
}
