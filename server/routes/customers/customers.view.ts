import type { CustomerDoc } from '../../models/customer.js';
import { customerSources, genders } from '../../domain/vocabulary.js';
import { ConflictError } from '../../errors.js';
import type { ServiceContext } from '../../services/context.js';
import { customerFilterChoices, customerFormChoices } from '../../services/customers/choices.js';
import { getCustomer } from '../../services/customers/customers.js';
import { timelineOf, type TimelineEntry } from '../../services/customers/timeline.js';
import { listTagGroups, tagNamesFor } from '../../services/tags/tags.js';
import { listShareCandidates } from '../../services/org/staff.js';
import { listTransferTargets } from '../../services/customers/transfer.js';
import { transferChoices } from './transfers.view.js';
import { presentCustomer } from '../../presenters/customer-detail.js';
import { maskPhone, presentCustomerRow } from '../../presenters/customer.js';
import { presentTag, presentTagGroup } from '../../presenters/tag.js';
import { flagsFor } from '../../policies/flags.js';
import { isEmptyRelativeRow, type CustomerListQuery } from './customers.schema.js';

/** View models of the customer pages and payloads of the customer API: what a view or a client gets, never a document. */

type T = (key: string, params?: Record<string, unknown>) => string;
type Choice = { _id: unknown };
const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const MIN_RELATIVE_ROWS = 2;
const months = () => Array.from({ length: 12 }, (_, i) => i + 1);
const staffChoices = (staff: (Choice & { realName: string })[]) => staff.map((s) => ({ id: String(s._id), name: s.realName }));
const tagChoices = (tags: Awaited<ReturnType<typeof listTagGroups>>) => ({
  tagGroups: tags.groups.map((g) => presentTagGroup(g)),
  personalTags: tags.personal.map((tag) => presentTag(tag)),
});

// --- API payloads ------------------------------------------------------------------------------------------------

export async function customerPayload(customer: CustomerDoc, ctx: ServiceContext, revealedPhone?: string) {
  return presentCustomer(customer, { revealedPhone, tagNames: await tagNamesFor(ctx, customer.tagIds) });
}

export async function customerListPayload(
  result: { items: CustomerDoc[]; total: number; tagCounts: Map<string, number> },
  ctx: ServiceContext,
  query: CustomerListQuery,
) {
  const tagNames = await tagNamesFor(
    ctx,
    result.items.flatMap((c) => c.tagIds),
  );
  return {
    items: result.items.map((c) => presentCustomer(c, { tagNames })),
    total: result.total,
    page: query.page,
    limit: query.limit,
    ...(query.counts ? { tagCounts: Object.fromEntries(result.tagCounts) } : {}),
  };
}

export function timelinePayload(events: TimelineEntry[]) {
  return { items: events.map((e) => ({ id: String(e._id), type: e.type, at: e.at.toISOString(), actor: actorName(e), data: e.data })) };
}

const actorName = (e: TimelineEntry) => (e.actorId as { realName?: string } | null)?.realName ?? null;

// --- The form ----------------------------------------------------------------------------------------------------

/** Relative rows for the form: what was entered (or stored), plus empty rows to add more. */
export function relativeRows(rows: { relation: unknown; name: unknown; year: unknown; month: unknown; day: unknown }[]) {
  const filled = rows.map((row, index) => ({ ...row, index }));
  while (filled.length < Math.max(MIN_RELATIVE_ROWS, rows.length + 1))
    filled.push({ relation: '', name: '', year: '', month: '', day: '', index: filled.length });
  return filled;
}

/**
 * The posted fields shaped for the form shown again (repeated rows). Rows left empty are dropped as the schema drops
 * them, so the rows keep the indexes of its messages and a refused form does not gain an empty block each time.
 */
export function postedValues(body: Record<string, unknown>) {
  const relations = list(body.relativeRelation);
  return {
    tagIds: list(body.tagIds).map(String),
    relatives: relativeRows(
      relations
        .map((relation, i) => ({
          relation,
          name: list(body.relativeName)[i],
          year: list(body.relativeYear)[i],
          month: list(body.relativeMonth)[i],
          day: list(body.relativeDay)[i],
        }))
        .filter((row) => !isEmptyRelativeRow(row)),
    ),
  };
}

export const newFormValues = () => ({ tagIds: [], relatives: relativeRows([]), source: 'in_store', gender: 'unknown' });

/** The edit form shows the number masked, like everywhere else; sending it back unchanged keeps the stored number. */
export function storedValues(customer: CustomerDoc) {
  return {
    name: customer.name,
    phone: maskPhone(customer.phone),
    gender: customer.gender,
    birthdayYear: customer.birthday?.year ?? '',
    birthdayMonth: customer.birthday?.month ?? '',
    birthdayDay: customer.birthday?.day ?? '',
    notes: customer.notes,
    source: customer.source,
    storeId: customer.storeId ? String(customer.storeId) : '',
    ownerId: customer.ownerId ? String(customer.ownerId) : '',
    tagIds: customer.tagIds.map(String),
    relatives: relativeRows(
      customer.relatives.map((r) => ({
        relation: r.relation,
        name: r.name,
        year: r.birthday?.year ?? '',
        month: r.birthday?.month ?? '',
        day: r.birthday?.day ?? '',
      })),
    ),
  };
}

/** The customer form's model: title and the choices the actor may make (stores and owners only where she may choose them). */
export function formModel(choices: Awaited<ReturnType<typeof customerFormChoices>>, title: string) {
  return {
    title,
    genders,
    sources: customerSources,
    stores: choices.stores.map((s) => ({ id: String(s._id), name: s.name })),
    owners: staffChoices(choices.owners),
    ...tagChoices(choices.tags),
    months: months(),
    days: Array.from({ length: 31 }, (_, i) => i + 1),
  };
}

export async function loadFormModel(ctx: ServiceContext, title: string) {
  return formModel(await customerFormChoices(ctx), title);
}

export function editFormTarget(customerId: string) {
  return { action: `/customers/${customerId}`, editing: true, customerId };
}

/** The edit form shown again, only for a customer the person may edit (anyone else's answers 404). */
export async function editAgainModel(ctx: ServiceContext, customerId: string, error: unknown, title: string) {
  const [customer, model] = await Promise.all([getCustomer(ctx, customerId, 'customer.write'), loadFormModel(ctx, title)]);
  return { ...model, ...editFormTarget(String(customer._id)), ...duplicateModel(error) };
}

/** A refused duplicate names the existing customer, so the form can offer it instead. */
export function duplicateModel(err: unknown) {
  if (!(err instanceof ConflictError) || err.code !== 'duplicate') return {};
  const details = err.details as { existingId?: string; visible?: boolean };
  return { duplicate: { id: details.existingId, visible: details.visible } };
}

// --- The list ----------------------------------------------------------------------------------------------------

type ListPageQuery = { filter: CustomerListQuery; numberSearchHint: boolean; invalidFilter: boolean; typed: string };

export async function listModel(result: { items: CustomerDoc[]; total: number }, ctx: ServiceContext, query: ListPageQuery, t: T) {
  const { filter } = query;
  const [choices, tagNames] = await Promise.all([
    customerFilterChoices(ctx),
    tagNamesFor(
      ctx,
      result.items.flatMap((c) => c.tagIds),
    ),
  ]);
  const pages = Math.max(1, Math.ceil(result.total / filter.limit));
  const base = new URLSearchParams({
    q: filter.q,
    match: filter.match,
    sort: filter.sort,
    ...(filter.tags.length ? { tags: filter.tags.join(',') } : {}),
    ...(filter.source ? { source: filter.source } : {}),
    ...(filter.birthdayMonth ? { birthdayMonth: String(filter.birthdayMonth) } : {}),
    ...(filter.owner ? { owner: filter.owner } : {}),
    ...(filter.store ? { store: filter.store } : {}),
  });
  const pageLink = (page: number) => `/customers?${new URLSearchParams({ ...Object.fromEntries(base), page: String(page) })}`;
  return {
    title: t('customers.title'),
    // A part of a number gets its own hint, with what was typed kept in the box; any other bad filter the general one.
    numberSearchHint: query.numberSearchHint,
    invalidFilter: query.invalidFilter,
    query: { ...filter, tags: filter.tags, q: query.numberSearchHint ? query.typed : filter.q },
    customers: result.items.map((c) => presentCustomerRow(c, { tagNames })),
    total: result.total,
    ...tagChoices(choices.tags),
    sources: customerSources,
    months: months(),
    owners: staffChoices(choices.owners),
    stores: choices.stores.map((s) => ({ id: String(s._id), name: s.name })),
    sorts: ['updated', 'name', 'created'],
    page: filter.page,
    pages,
    prevLink: filter.page > 1 ? pageLink(filter.page - 1) : null,
    nextLink: filter.page < pages ? pageLink(filter.page + 1) : null,
    ...flagsFor(ctx.actor, { canWrite: 'customer.write' }),
    exportAction: `/customers/export?${base}`,
    tagCountsUrl: `/customers/tag-counts?${base}`,
  };
}

// --- The detail page ---------------------------------------------------------------------------------------------

/** The detail page with the number just revealed (never put in an address or a redirect). */
export async function revealedModel(ctx: ServiceContext, customerId: string, phone: string) {
  return detailModel(await getCustomer(ctx, customerId), ctx, phone);
}

function transferDetail(data: Record<string, unknown> | undefined): string | null {
  if (typeof data?.toName !== 'string') return null;
  return typeof data.note === 'string' && data.note ? `${data.toName} · ${data.note}` : data.toName;
}

export async function detailModel(customer: CustomerDoc, ctx: ServiceContext, revealedPhone?: string) {
  const ownerId = customer.ownerId ? String(customer.ownerId) : null;
  const storeId = customer.storeId ? String(customer.storeId) : null;
  // Transfer is a store-wide act: the record's store decides, not its owner.
  const resource = { ownerId, storeId };
  const flags = flagsFor(ctx.actor, {
    canTransfer: ['customer.transfer', { storeId }],
    canEdit: ['customer.write', resource],
    canRevealAny: ['customer.personal_data', resource],
    canErase: ['customer.erase', resource],
  });
  const [tagNames, timeline, tags, targets, colleagues] = await Promise.all([
    tagNamesFor(ctx, customer.tagIds),
    timelineOf(customer),
    listTagGroups(ctx),
    flags.canTransfer ? listTransferTargets(ctx) : Promise.resolve([]),
    flags.canEdit ? listShareCandidates(ctx) : Promise.resolve([]),
  ]);
  const view = presentCustomer(customer, { revealedPhone, tagNames });
  const sharedWith = (id: unknown) => customer.sharedWith.some((shared) => String(shared) === String(id));
  return {
    title: customer.name,
    customer: view,
    canEdit: flags.canEdit,
    canReveal: !revealedPhone && flags.canRevealAny,
    callHref: revealedPhone ? `tel:${revealedPhone}` : null,
    canTransfer: flags.canTransfer,
    shares: staffChoices(colleagues.filter((s) => sharedWith(s._id))),
    shareCandidates: staffChoices(colleagues.filter((s) => String(s._id) !== String(customer.ownerId) && !sharedWith(s._id))),
    canErase: flags.canErase,
    transferTargets: transferChoices(targets.filter((s) => s.id !== view.ownerId)),
    ...tagChoices(tags),
    timeline: timeline.map((e) => ({
      id: String(e._id),
      at: e.at.toISOString(),
      typeKey: `timeline.${e.type}`,
      // What a customer said, which group, or to whom a transfer went and why: the words are theirs, shown escaped.
      detail: typeof e.data?.text === 'string' ? e.data.text : typeof e.data?.groupName === 'string' ? e.data.groupName : transferDetail(e.data),
      actor: actorName(e),
    })),
  };
}
