import type { DateTime } from 'luxon';
import { birthdayMonthDays, birthdayOf, isFutureBirthday } from './birthdays.js';
import { customerPhoneFields } from './phones.js';
import type { CustomerInput } from './customer.schema.js';

/** The stored personal fields of a validated customer input; the form, the API and the import build them alike. */
export function personalFields(input: Omit<CustomerInput, 'storeId' | 'ownerId' | 'tagIds'>) {
  const birthday = input.birthday ? birthdayOf(input.birthday) : null;
  const relatives = input.relatives.map((r) => ({ relation: r.relation, name: r.name, birthday: r.birthday ? birthdayOf(r.birthday) : null }));
  return {
    name: input.name,
    ...customerPhoneFields(input.phone),
    gender: input.gender,
    birthday,
    relatives,
    birthdayMds: birthdayMonthDays(birthday, relatives),
    notes: input.notes,
    source: input.source,
  };
}

/** The fields whose birthday (with a year) lies after today in the organisation's timezone. */
export function futureBirthdayFields(input: Pick<CustomerInput, 'birthday' | 'relatives'>, today: DateTime): string[] {
  return [
    ...(isFutureBirthday(input.birthday, today) ? ['birthday'] : []),
    ...input.relatives.flatMap((r, i) => (isFutureBirthday(r.birthday, today) ? [`relatives.${i}.birthday`] : [])),
  ];
}
