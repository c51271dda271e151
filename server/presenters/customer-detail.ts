import type { CustomerDoc, Birthday } from '../models/customer.js';
import { maskPhone } from './customer.js';

const presentBirthday = (b: Birthday | null | undefined) => (b ? { year: b.year ?? null, month: b.month, day: b.day } : null);

/** The API and page view of one customer; tags the actor cannot see are left out, the phone masked unless allowed. */
export function presentCustomer(customer: CustomerDoc, opts: { revealedPhone?: string | undefined; tagNames: Map<string, string> }) {
  const tags = customer.tagIds.map(String).filter((id) => opts.tagNames.has(id));
  return {
    id: String(customer._id),
    name: customer.name,
    phone: opts.revealedPhone ?? maskPhone(customer.phone),
    phoneMasked: !opts.revealedPhone,
    gender: customer.gender,
    birthday: presentBirthday(customer.birthday),
    relatives: customer.relatives.map((r) => ({ relation: r.relation, name: r.name, birthday: presentBirthday(r.birthday) })),
    notes: customer.notes,
    source: customer.source,
    storeId: customer.storeId ? String(customer.storeId) : null,
    ownerId: customer.ownerId ? String(customer.ownerId) : null,
    tagIds: tags,
    sharedWith: customer.sharedWith.map(String),
    tags: tags.map((id) => ({ id, name: opts.tagNames.get(id)! })),
    createdAt: customer.createdAt.toISOString(),
    updatedAt: customer.updatedAt.toISOString(),
  };
}
