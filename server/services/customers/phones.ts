import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { ValidationError } from '../../errors.js';

/** The stored form of a customer's number: E.164 (default region CN) and its last four digits. */
export function customerPhoneFields(raw: string, field = 'phone'): { phone: string; phoneTail: string } {
  const parsed = parsePhoneNumberFromString(raw.trim(), 'CN');
  if (!parsed?.isValid()) throw new ValidationError({ [field]: ['phone'] });
  return { phone: parsed.number, phoneTail: parsed.number.slice(-4) };
}

export function isValidCustomerPhone(raw: string): boolean {
  return Boolean(parsePhoneNumberFromString(raw.trim(), 'CN')?.isValid());
}
