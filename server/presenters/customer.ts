import type { CustomerDoc } from '../models/customer.js';

/** 13812341234 -> 138****1234; other lengths keep the first 3 and last 4 digits. */
export function maskPhone(e164: string): string {
  const national = e164.startsWith('+86') ? e164.slice(3) : e164.replace(/^\+/, '');
  if (national.length <= 7) return national.replace(/\d(?=\d{2})/g, '*');
  return `${national.slice(0, 3)}${'*'.repeat(national.length - 7)}${national.slice(-4)}`;
}

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
