import type { CustomerDoc } from '../models/customer.js';
import { maskPhone } from '../domain/phone-mask.js';

/** 13812341234 -> 138****1234; the rule lives in the domain, since the edit form's service compares against it too. */
export { maskPhone };

/** A row in a list: the phone is always masked; the full number is revealed one customer at a time, audited. */
export function presentCustomerRow(customer: CustomerDoc, opts: { tagNames: Map<string, string> }) {
  return {
    id: String(customer._id),
    name: customer.name,
    phone: maskPhone(customer.phone),
    birthday: customer.birthday ? { month: customer.birthday.month, day: customer.birthday.day } : null,
    tags: customer.tagIds.map((id) => opts.tagNames.get(String(id))).filter((name): name is string => Boolean(name)),
  };
}
