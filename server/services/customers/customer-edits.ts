import type { CustomerDoc } from '../../models/customer.js';
import { ValidationError } from '../../errors.js';
import { maskPhone } from '../../domain/phone-mask.js';
import type { ServiceContext } from '../context.js';
import { tagNamesFor } from '../tags/tags.js';
import { changeCustomerTags, customerInputOf, getCustomer, updateCustomer, type CustomerInput } from './customers.js';
import { isValidCustomerPhone } from './phones.js';

/**
 * The edit form: it shows the number masked, so the masked number coming back unchanged keeps the stored one.
 * The form has no owner or store: those change through a transfer.
 */
export async function editCustomer(ctx: ServiceContext, customerId: string, input: CustomerInput): Promise<CustomerDoc> {
  const current = await getCustomer(ctx, customerId, 'customer.write');
  const phone = input.phone === maskPhone(current.phone) ? current.phone : input.phone;
  if (!isValidCustomerPhone(phone)) throw new ValidationError({ phone: ['phone'] });
  return updateCustomer(ctx, String(current._id), { ...input, phone, ownerId: undefined, storeId: undefined });
}

/** A partial change (API PATCH): the fields sent replace the stored ones, the others stay. */
export async function patchCustomer(ctx: ServiceContext, customerId: string, changes: Partial<CustomerInput>): Promise<CustomerDoc> {
  const current = await getCustomer(ctx, customerId, 'customer.write');
  return updateCustomer(ctx, String(current._id), { ...customerInputOf(current), ...changes });
}

const TAG_CHANGE_MAX = 100;

/**
 * The tags the detail page's checkboxes leave ticked: tags the actor can see are added or taken off to match;
 * tags she cannot see (a colleague's personal tags) stay. Nothing to change, or more than a change may hold, changes nothing.
 */
export async function setCustomerTags(ctx: ServiceContext, customerId: string, wanted: string[]): Promise<CustomerDoc> {
  const customer = await getCustomer(ctx, customerId, 'customer.write');
  const visible = await tagNamesFor(ctx, customer.tagIds);
  const current = customer.tagIds.map(String).filter((id) => visible.has(id));
  const wish = new Set(wanted);
  const add = [...wish].filter((id) => !current.includes(id));
  const remove = current.filter((id) => !wish.has(id));
  const tooLong = (ids: string[]) => ids.length > TAG_CHANGE_MAX || ids.some((id) => id.length > 64);
  if (add.length + remove.length === 0 || tooLong(add) || tooLong(remove)) return customer;
  return changeCustomerTags(ctx, String(customer._id), { add, remove });
}
