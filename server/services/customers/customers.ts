import { DateTime } from 'luxon';
import { Customer, type CustomerDoc, type customerSources } from '../../models/customer.js';
import { Staff } from '../../models/staff.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { authorize, can, scopeOf } from '../../policies/permissions.js';
import { rolesFor } from '../../policies/scopes.js';
import { assertSessionRule, type SessionRef } from '../../policies/record-rules.js';
import type { ServiceContext } from '../context.js';
import { toObjectId } from '../ids.js';
import { isDuplicateKey } from '../mongo-errors.js';
import { getOrgSettings } from '../org/settings.js';
import { assertStoreInOrg } from '../org/stores.js';
import { resolveUsableTagIds, usableTagFilter } from '../tags/tags.js';
import { Tag } from '../../models/tag.js';
import { customerScopeFilter } from './visibility.js';
import { futureBirthdayFields, personalFields } from './customer-fields.js';
import { appendTimeline, timelineOf, type TimelineEntry } from './timeline.js';
import { recordAudit } from '../audit/record-audit.js';
import { domainEvents } from '../events.js';
import { mongoose } from '../../db/connect.js';
import { customerPhoneFields, isValidCustomerPhone } from './phones.js';
import { countWholeNumberSearch } from './search-limits.js';

import type { CustomerInput } from './customer.schema.js';
export type { CustomerInput };

/**
 * Fills store and owner from the actor when missing and checks them against the actor's reach:
 * a clerk keeps her own customers, a manager assigns within her store, admins and marketers anywhere.
 */
async function placement(ctx: ServiceContext, input: Pick<CustomerInput, 'storeId' | 'ownerId'>) {
  const scope = scopeOf(ctx.actor, 'customer.write');
  const ownerId = input.ownerId ?? ownerOfWhatTheyAdd(ctx);
  // A clerk's customers belong to her store; only organisation-wide roles choose another store.
  let storeId = scope === 'org' ? (input.storeId ?? ctx.actor.storeId) : ctx.actor.storeId;
  if (ownerId) {
    const owner = await Staff.findOne(
      { _id: toObjectId(ownerId, 'staff'), orgId: toObjectId(ctx.orgId), status: 'active', roles: { $in: rolesFor('customer.own') } },
      { storeId: 1 },
    ).lean();
    if (!owner) throw new ValidationError({ ownerId: ['unknown_staff'] });
    if (scope === 'store' && String(owner.storeId) !== String(ctx.actor.storeId)) throw new ValidationError({ ownerId: ['unknown_staff'] });
    if (scope === 'org') storeId = input.storeId ?? (owner.storeId ? String(owner.storeId) : storeId);
  }
  if (storeId) await assertStoreInOrg(ctx, storeId);
  authorize(ctx.actor, 'customer.write', { ownerId, storeId });
  return { ownerId: ownerId ? toObjectId(ownerId) : null, storeId: storeId ? toObjectId(storeId) : null };
}

/** The stored fields of an input; `kept` is the placement of an existing customer, which an edit never changes. */
async function toFields(ctx: ServiceContext, input: CustomerEdit, kept?: Pick<CustomerDoc, 'ownerId' | 'storeId'>) {
  const { timezone } = await getOrgSettings(ctx);
  const today = DateTime.now().setZone(timezone);
  const future = futureBirthdayFields(input, today);
  if (future.length) throw new ValidationError(Object.fromEntries(future.map((field) => [field, ['birthday_in_future']])));
  return {
    ...personalFields(input),
    tagIds: await resolveUsableTagIds(ctx, input.tagIds),
    ...(kept
      ? { ownerId: kept.ownerId ?? null, storeId: kept.storeId ?? null }
      : await placement(ctx, { ownerId: input.ownerId ?? null, storeId: input.storeId ?? null })),
  };
}

/**
 * Owner and store change only through a transfer (its permission, its limit, its timeline entry, and what moves with
 * the customer): an edit that names other ones is refused whole. `undefined` means the edit does not name them.
 */
function assertPlacementKept(before: CustomerDoc, input: Pick<CustomerEdit, 'ownerId' | 'storeId'>): void {
  const current = { ownerId: before.ownerId ? String(before.ownerId) : null, storeId: before.storeId ? String(before.storeId) : null };
  const moved = (['ownerId', 'storeId'] as const).filter((key) => input[key] !== undefined && input[key] !== current[key]);
  if (moved.length)
    throw new ValidationError(
      Object.fromEntries(moved.map((key) => [key, ['use_transfer']])),
      'The owner and store of a customer change only through a transfer.',
    );
}

/** One customer per number: the answer names the existing record so the page can offer it instead. */
async function duplicateOf(ctx: ServiceContext, phone: string): Promise<ConflictError> {
  const existing = await Customer.findOne({ orgId: toObjectId(ctx.orgId), phone }, { _id: 1, ownerId: 1, storeId: 1 }).lean();
  const visible = existing
    ? can(ctx.actor, 'customer.read', {
        ownerId: existing.ownerId ? String(existing.ownerId) : null,
        storeId: existing.storeId ? String(existing.storeId) : null,
      })
    : false;
  return new ConflictError('A customer with this mobile number already exists.', {
    code: 'duplicate',
    messageKey: 'errors.duplicate_customer',
    details: { ...(visible && existing ? { existingId: String(existing._id) } : {}), visible, fields: { phone: ['duplicate'] } },
    // The id only goes to someone who may open the record.
    extra: visible && existing ? { existingId: String(existing._id) } : {},
  });
}

/** A clerk keeps the customers she adds; others add them to no one (a manager or admin assigns them). */
function ownerOfWhatTheyAdd(ctx: ServiceContext): string | null {
  return scopeOf(ctx.actor, 'customer.write') === 'own' || ctx.actor.roles.includes('clerk') ? ctx.actor.id : null;
}

export async function addCustomer(ctx: ServiceContext, input: CustomerInput): Promise<CustomerDoc> {
  authorize(ctx.actor, 'customer.write');
  return insertCustomer(ctx, await toFields(ctx, input));
}

/**
 * The customer of a conversation the actor serves, made from the visitor's name and number. The chat decides the
 * reach (a record rule: the session is theirs), not the customer matrix, which gives agents no customers of their
 * own; the actor is the creator all the same. The customer belongs to the session's store.
 */
export async function addServedCustomer(ctx: ServiceContext, session: SessionRef, input: Omit<CustomerInput, 'ownerId' | 'storeId'>): Promise<CustomerDoc> {
  assertSessionRule('actOnCustomer', ctx.actor, session);
  const storeId = session.storeId ? String(session.storeId) : ctx.actor.storeId;
  if (storeId) await assertStoreInOrg(ctx, storeId);
  const ownerId = ownerOfWhatTheyAdd(ctx);
  return insertCustomer(ctx, await toFields(ctx, input, { ownerId: ownerId ? toObjectId(ownerId) : null, storeId: storeId ? toObjectId(storeId) : null }));
}

async function insertCustomer(ctx: ServiceContext, fields: Awaited<ReturnType<typeof toFields>>): Promise<CustomerDoc> {
  let customer: CustomerDoc;
  try {
    customer = (await Customer.create({ orgId: toObjectId(ctx.orgId), createdBy: ctx.actor.system ? null : toObjectId(ctx.actor.id), ...fields })).toObject();
  } catch (err) {
    if (isDuplicateKey(err)) throw await duplicateOf(ctx, fields.phone);
    throw err;
  }
  await domainEvents.emitEventAndSettle('customers.changed', { orgId: ctx.orgId, customerIds: [String(customer._id)] });
  return customer;
}

export async function getCustomer(ctx: ServiceContext, customerId: string, action: 'customer.read' | 'customer.write' = 'customer.read'): Promise<CustomerDoc> {
  authorize(ctx.actor, action);
  const customer = await Customer.findOne({ ...customerScopeFilter(ctx, action), _id: toObjectId(customerId, 'customer') }).lean<CustomerDoc>();
  if (!customer) throw new NotFoundError('No such customer');
  return customer;
}

/** A customer's timeline, newest first, for a caller who may read the customer. */
export async function listTimeline(ctx: ServiceContext, customerId: string, limit = 50): Promise<TimelineEntry[]> {
  return timelineOf(await getCustomer(ctx, customerId), limit);
}

/** An edit of a customer's own fields; owner and store, when named, must be the current ones. */
export type CustomerEdit = Omit<CustomerInput, 'ownerId' | 'storeId'> & Partial<Pick<CustomerInput, 'ownerId' | 'storeId'>>;

export async function updateCustomer(ctx: ServiceContext, customerId: string, input: CustomerEdit): Promise<CustomerDoc> {
  const before = await getCustomer(ctx, customerId, 'customer.write');
  assertPlacementKept(before, input);
  // Tags the actor cannot see (a colleague's personal tags) stay as they are.
  const hiddenTags = before.tagIds.filter((id) => !input.tagIds.includes(String(id)));
  const usable = new Set((await Tag.find({ ...usableTagFilter(ctx), _id: { $in: hiddenTags } }, { _id: 1 }).lean()).map((t) => String(t._id)));
  const fields = await toFields(ctx, input, before);
  fields.tagIds = [...fields.tagIds, ...hiddenTags.filter((id) => !usable.has(String(id)))];
  const changed = (Object.keys(fields) as (keyof typeof fields)[]).filter(
    (key) => JSON.stringify(fields[key]) !== JSON.stringify(before[key as keyof CustomerDoc]),
  );
  try {
    const customer = await Customer.findOneAndUpdate(
      { _id: before._id, orgId: before.orgId },
      { $set: fields },
      { returnDocument: 'after' },
    ).lean<CustomerDoc>();
    if (!customer) throw new NotFoundError('No such customer');
    if (changed.length)
      await appendTimeline(ctx, customer._id, 'customer.updated', { fields: changed.filter((f) => f !== 'phoneTail' && f !== 'birthdayMds') });
    if (changed.length) await domainEvents.emitEventAndSettle('customers.changed', { orgId: ctx.orgId, customerIds: [String(customer._id)] });
    return customer;
  } catch (err) {
    if (isDuplicateKey(err)) throw await duplicateOf(ctx, fields.phone);
    throw err;
  }
}

/**
 * What a search for a number may match: the last 4 digits (shown in every masked number) or a whole number (to find
 * a customer or a duplicate), never a part of the digits in between. Matching the end of the number let anyone who
 * sees 135****7284 read the hidden digits back one search at a time. `partial` is a number that is neither.
 */
export function searchedNumber(q: string): { kind: 'tail'; digits: string } | { kind: 'whole'; phone: string } | { kind: 'partial' } | null {
  const compact = q.replace(/[\s()-]/g, '');
  if (!/^\+?\d{3,}$/.test(compact)) return null;
  if (/^\d{4}$/.test(compact)) return { kind: 'tail', digits: compact };
  return isValidCustomerPhone(compact) ? { kind: 'whole', phone: customerPhoneFields(compact).phone } : { kind: 'partial' };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export type CustomerQuery = {
  tags: string[];
  match: 'all' | 'any' | 'none';
  q: string;
  owner: string | null;
  store: string | null;
  source?: (typeof customerSources)[number] | undefined;
  birthdayMonth?: number | undefined;
  sort: 'updated' | 'name' | 'created';
  page: number;
  limit: number;
};

// Names sort by their stored pinyin key (models/customer-name-key.ts), not under a collation: an index serves it on every engine.
const sorts = { updated: { updatedAt: -1, _id: -1 }, name: { nameKey: 1, _id: 1 }, created: { createdAt: -1, _id: -1 } } as const;

export type CustomerFilter = Omit<CustomerQuery, 'sort' | 'page' | 'limit'>;

/** The MongoDB filter for a list query within the actor's reach; the list, the counts and the export share it. */
export async function customerFilter(ctx: ServiceContext, query: CustomerFilter): Promise<Record<string, unknown>> {
  const filter: Record<string, unknown> = customerScopeFilter(ctx);
  const and: Record<string, unknown>[] = [];
  if (query.tags.length) {
    const tagIds = await resolveUsableTagIds(ctx, query.tags, 'tags');
    and.push({ tagIds: query.match === 'all' ? { $all: tagIds } : query.match === 'any' ? { $in: tagIds } : { $nin: tagIds } });
  }
  if (query.owner) and.push({ ownerId: toObjectId(query.owner, 'staff') });
  if (query.store) and.push({ storeId: toObjectId(query.store, 'store') });
  if (query.source) and.push({ source: query.source });
  if (query.birthdayMonth) and.push({ 'birthday.md': { $gte: query.birthdayMonth * 100 + 1, $lte: query.birthdayMonth * 100 + 31 } });
  const q = query.q.trim();
  const number = searchedNumber(q);
  if (number?.kind === 'tail') and.push({ phoneTail: number.digits });
  else if (number?.kind === 'whole') {
    await countWholeNumberSearch(ctx);
    and.push({ phone: number.phone });
  } else if (number) throw new ValidationError({ q: ['phone_search_whole'] }, 'Search a number by its last 4 digits or the whole number.');
  else if (q) and.push({ name: { $regex: escapeRegex(q), $options: 'i' } });
  if (and.length) filter.$and = and;
  return filter;
}

/** `withTagCounts` adds the count per tag for the filter: it reads every match, so callers ask for it only when shown. */
export async function listCustomers(ctx: ServiceContext, query: CustomerQuery, opts: { withTagCounts?: boolean } = {}) {
  const filter = await customerFilter(ctx, query);
  const [items, total, tagCounts] = await Promise.all([
    Customer.find(filter)
      .sort(sorts[query.sort])
      .skip((query.page - 1) * query.limit)
      .limit(query.limit)
      .lean<CustomerDoc[]>(),
    Customer.countDocuments(filter),
    opts.withTagCounts ? tagCountsOf(filter) : Promise.resolve(new Map<string, number>()),
  ]);
  return { items, total, tagCounts };
}

/**
 * How many of the customers a list filter finds carry each tag. It reads every match (a second or more at 100,000
 * customers on some engines), so the list page asks for it on its own, when the tag filter is opened.
 */
export async function countCustomerTags(ctx: ServiceContext, query: CustomerFilter): Promise<Map<string, number>> {
  return tagCountsOf(await customerFilter(ctx, query));
}

async function tagCountsOf(filter: Record<string, unknown>): Promise<Map<string, number>> {
  const rows = await Customer.aggregate<{ _id: mongoose.Types.ObjectId; count: number }>([
    { $match: filter },
    { $unwind: '$tagIds' },
    { $group: { _id: '$tagIds', count: { $sum: 1 } } },
  ]);
  return new Map(rows.map((row) => [String(row._id), row.count]));
}

/** Adds and removes tags in two atomic updates (MongoDB allows one operator per path per update). */
async function applyTagChange(filter: Record<string, unknown>, add: mongoose.Types.ObjectId[], remove: mongoose.Types.ObjectId[]) {
  if (add.length) await Customer.updateMany(filter, { $addToSet: { tagIds: { $each: add } } });
  if (remove.length) await Customer.updateMany(filter, { $pull: { tagIds: { $in: remove } } });
}

export async function changeCustomerTags(ctx: ServiceContext, customerId: string, change: { add: string[]; remove: string[] }): Promise<CustomerDoc> {
  const customer = await getCustomer(ctx, customerId, 'customer.write');
  await retag(ctx, customer, change);
  return getCustomer(ctx, customerId);
}

/**
 * Tags the customer of a conversation the actor serves. The chat decided the reach (the session is theirs), so the
 * customer matrix, which gives agents no customers of their own, is not asked; everything else is the actor's own:
 * the tags they may use (their personal ones included) and their name on the timeline.
 */
export async function tagServedCustomer(
  ctx: ServiceContext,
  customerId: mongoose.Types.ObjectId,
  change: { add: string[]; remove: string[] },
): Promise<CustomerDoc> {
  const served = { _id: customerId, orgId: toObjectId(ctx.orgId), erasedAt: null };
  const customer = await Customer.findOne(served).lean<CustomerDoc>();
  if (!customer) throw new NotFoundError('No such customer');
  await retag(ctx, customer, change);
  return (await Customer.findOne(served).lean<CustomerDoc>()) ?? customer;
}

/** Tags added and removed in one update, recorded on the timeline under the actor, and announced. */
async function retag(ctx: ServiceContext, customer: CustomerDoc, change: { add: string[]; remove: string[] }): Promise<void> {
  const [add, remove] = await Promise.all([resolveUsableTagIds(ctx, change.add, 'add'), resolveUsableTagIds(ctx, change.remove, 'remove')]);
  await applyTagChange({ _id: customer._id, orgId: customer.orgId }, add, remove);
  await appendTimeline(ctx, customer._id, 'customer.tagged', { add: add.map(String), remove: remove.map(String) });
  await domainEvents.emitEventAndSettle('customers.changed', { orgId: ctx.orgId, customerIds: [String(customer._id)] });
}

/** A bulk change is checked whole (every customer reachable, every tag usable) before anything is written. */
export async function bulkChangeTags(ctx: ServiceContext, change: { ids: string[]; add: string[]; remove: string[] }): Promise<{ updated: number }> {
  authorize(ctx.actor, 'customer.write');
  const ids = [...new Set(change.ids)];
  if (ids.some((id) => !mongoose.isObjectIdOrHexString(id))) throw new ValidationError({ ids: ['unknown_customer'] });
  const objectIds = ids.map((id) => toObjectId(id));
  const filter = { ...customerScopeFilter(ctx, 'customer.write'), _id: { $in: objectIds } };
  const [reachable, add, remove] = await Promise.all([
    Customer.countDocuments(filter),
    resolveUsableTagIds(ctx, change.add, 'add'),
    resolveUsableTagIds(ctx, change.remove, 'remove'),
  ]);
  if (reachable !== objectIds.length) throw new ValidationError({ ids: ['unknown_customer'] });
  await applyTagChange(filter, add, remove);
  await Promise.all(objectIds.map((id) => appendTimeline(ctx, id, 'customer.tagged', { add: add.map(String), remove: remove.map(String), bulk: true })));
  await domainEvents.emitEventAndSettle('customers.changed', { orgId: ctx.orgId, customerIds: ids });
  return { updated: objectIds.length };
}

/** The full number, for those with the personal-data permission; the route asks for the password first. Audited. */
export async function revealCustomerPhone(ctx: ServiceContext, customerId: string): Promise<string> {
  const customer = await getCustomer(ctx, customerId);
  authorize(ctx.actor, 'customer.personal_data', {
    ownerId: customer.ownerId ? String(customer.ownerId) : null,
    storeId: customer.storeId ? String(customer.storeId) : null,
  });
  await recordAudit(ctx, 'customer.phone_reveal', { type: 'customer', id: customerId });
  await appendTimeline(ctx, customer._id, 'customer.phone_revealed', {});
  return customer.phone;
}

/** The owner (or a manager or admin within reach) shares a customer with a colleague, or stops sharing. */
export async function setCustomerSharing(ctx: ServiceContext, customerId: string, input: { staffId: string; shared: boolean }): Promise<CustomerDoc> {
  const customer = await getCustomer(ctx, customerId, 'customer.write');
  const staffId = toObjectId(input.staffId, 'staff');
  if (input.shared) {
    const colleague = await Staff.exists({ _id: staffId, orgId: customer.orgId, status: 'active' });
    if (!colleague || String(staffId) === String(customer.ownerId)) throw new ValidationError({ staffId: ['unknown_staff'] });
  }
  await Customer.updateOne(
    { _id: customer._id, orgId: customer.orgId },
    input.shared ? { $addToSet: { sharedWith: staffId } } : { $pull: { sharedWith: staffId } },
  );
  await appendTimeline(ctx, customer._id, input.shared ? 'customer.shared' : 'customer.unshared', { staffId: String(staffId) });
  return getCustomer(ctx, customerId);
}

/** A stored customer in the shape of the input, so a partial change (API PATCH) can be merged over it. */
export function customerInputOf(customer: CustomerDoc) {
  const birthday = (b: CustomerDoc['birthday']) => (b ? { year: b.year ?? null, month: b.month, day: b.day } : null);
  return {
    name: customer.name,
    phone: customer.phone,
    gender: customer.gender,
    birthday: birthday(customer.birthday),
    relatives: customer.relatives.map((r) => ({ relation: r.relation, name: r.name, birthday: birthday(r.birthday) })),
    notes: customer.notes,
    source: customer.source,
    storeId: customer.storeId ? String(customer.storeId) : null,
    ownerId: customer.ownerId ? String(customer.ownerId) : null,
    tagIds: customer.tagIds.map(String),
  };
}
