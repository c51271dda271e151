import type { Request } from 'express';
import { route, ctxOf, type RouteSpec } from '../define.js';
import { handleForm } from '../forms.js';
import { flash } from '../flash.js';
import { bulkTagFormSchema, customerFormSchema, customerListQuery, shareSchema, tagChangeSchema } from '../schemas/customer.schema.js';
import { addCustomer, bulkChangeTags, changeCustomerTags, countCustomerTags, getCustomer, listCustomers, revealCustomerPhone, setCustomerSharing, updateCustomer } from '../../services/customers/customers.js';
import { timelineOf } from '../../services/customers/timeline.js';
import { exportCustomersCsv } from '../../services/customers/export.js';
import { eraseCustomer } from '../../services/customers/erase.js';
import { startCsvDownload } from '../csv-download.js';
import { listTagGroups, tagNamesFor } from '../../services/tags/tags.js';
import { listStoreChoices } from '../../services/org/stores.js';
import { listAssignableOwners, listShareCandidates, listTransferTargets } from '../../services/org/staff.js';
import { presentCustomer } from '../../presenters/customer-detail.js';
import { maskPhone, presentCustomerRow } from '../../presenters/customer.js';
import { presentTag, presentTagGroup } from '../../presenters/tag.js';
import { can, scopeOf } from '../../policies/permissions.js';
import { customerSources, genders, type CustomerDoc } from '../../models/customer.js';
import { ConflictError } from '../../errors.js';
import { tr } from '../translate.js';

const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const MIN_RELATIVE_ROWS = 2;

/** Relative rows for the form: what was entered (or stored), plus empty rows to add more. */
function relativeRows(rows: { relation: unknown; name: unknown; year: unknown; month: unknown; day: unknown }[]) {
  const filled = rows.map((row, index) => ({ ...row, index }));
  while (filled.length < Math.max(MIN_RELATIVE_ROWS, rows.length + 1)) filled.push({ relation: '', name: '', year: '', month: '', day: '', index: filled.length });
  return filled;
}

function postedValues(body: Record<string, unknown>) {
  const relations = list(body.relativeRelation);
  return {
    tagIds: list(body.tagIds).map(String),
    relatives: relativeRows(
      relations.map((relation, i) => ({
        relation,
        name: list(body.relativeName)[i],
        year: list(body.relativeYear)[i],
        month: list(body.relativeMonth)[i],
        day: list(body.relativeDay)[i],
      })),
    ),
  };
}

/** The edit form shows the number masked, like everywhere else; sending it back unchanged keeps the stored number. */
function storedValues(customer: CustomerDoc) {
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
      customer.relatives.map((r) => ({ relation: r.relation, name: r.name, year: r.birthday?.year ?? '', month: r.birthday?.month ?? '', day: r.birthday?.day ?? '' })),
    ),
  };
}

/** Choices for the customer form: stores and owners only where the actor may choose them. */
async function formModel(req: Request, titleKey: string) {
  const ctx = ctxOf(req);
  const scope = scopeOf(ctx.actor, 'customer.write');
  const [tags, stores, staff] = await Promise.all([
    listTagGroups(ctx),
    scope === 'org' ? listStoreChoices(ctx) : Promise.resolve([]),
    scope === 'own' ? Promise.resolve([]) : listAssignableOwners(ctx),
  ]);
  return {
    title: tr(req, titleKey),
    genders,
    sources: customerSources,
    stores: stores.map((s) => ({ id: String(s._id), name: s.name })),
    owners: staff.map((s) => ({ id: String(s._id), name: s.realName })),
    tagGroups: tags.groups.map((g) => presentTagGroup(g)),
    personalTags: tags.personal.map((tag) => presentTag(tag)),
    months: Array.from({ length: 12 }, (_, i) => i + 1),
    days: Array.from({ length: 31 }, (_, i) => i + 1),
  };
}

function duplicateModel(req: Request, err: unknown) {
  if (!(err instanceof ConflictError) || err.code !== 'duplicate') return {};
  const details = err.details as { existingId?: string; visible?: boolean };
  return { duplicate: { id: details.existingId, visible: details.visible } };
}

async function detailModel(req: Request, customerId: string, revealedPhone?: string) {
  const ctx = ctxOf(req);
  const customer = await getCustomer(ctx, customerId);
  const canTransfer = can(ctx.actor, 'customer.transfer', { storeId: customer.storeId ? String(customer.storeId) : null });
  const canEditCustomer = can(ctx.actor, 'customer.write', { ownerId: customer.ownerId ? String(customer.ownerId) : null, storeId: customer.storeId ? String(customer.storeId) : null });
  const [tagNames, timeline, tags, targets, colleagues] = await Promise.all([
    tagNamesFor(ctx, customer.tagIds),
    timelineOf(customer),
    listTagGroups(ctx),
    canTransfer ? listTransferTargets(ctx) : Promise.resolve([]),
    canEditCustomer ? listShareCandidates(ctx) : Promise.resolve([]),
  ]);
  const view = presentCustomer(customer, { revealedPhone, tagNames });
  const resource = { ownerId: view.ownerId, storeId: view.storeId };
  return {
    title: customer.name,
    customer: view,
    canEdit: can(ctx.actor, 'customer.write', resource),
    canReveal: !revealedPhone && can(ctx.actor, 'customer.personal_data', resource),
    canTransfer,
    shares: colleagues.filter((s) => customer.sharedWith.some((id) => String(id) === String(s._id))).map((s) => ({ id: String(s._id), name: s.realName })),
    shareCandidates: colleagues
      .filter((s) => String(s._id) !== String(customer.ownerId) && !customer.sharedWith.some((id) => String(id) === String(s._id)))
      .map((s) => ({ id: String(s._id), name: s.realName })),
    canErase: can(ctx.actor, 'customer.erase', resource),
    transferTargets: targets.filter((s) => String(s._id) !== view.ownerId).map((s) => ({ id: String(s._id), name: s.realName })),
    tagGroups: tags.groups.map((g) => presentTagGroup(g)),
    personalTags: tags.personal.map((tag) => presentTag(tag)),
    timeline: timeline.map((e) => ({
      id: String(e._id),
      at: e.at.toISOString(),
      typeKey: `timeline.${e.type}`,
      // What a customer said or which group: the words are theirs, shown escaped.
      detail: typeof e.data?.text === 'string' ? e.data.text : typeof e.data?.groupName === 'string' ? e.data.groupName : null,
      actor: (e.actorId as { realName?: string } | null)?.realName ?? null,
    })),
  };
}

export const customerPageRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/customers',
    access: { permission: 'customer.read' },
    handler: async (req, res) => {
      const ctx = ctxOf(req);
      const parsed = customerListQuery.safeParse(req.query);
      const query = parsed.success ? parsed.data : customerListQuery.parse({});
      const numberSearchHint = !parsed.success && parsed.error.issues.some((issue) => issue.message === 'phone_search_whole');
      const scope = scopeOf(ctx.actor, 'customer.read');
      const [{ items, total }, tags, owners, stores] = await Promise.all([
        // Counts per tag come on their own (/customers/tag-counts): they read every match, the page only its rows.
        listCustomers(ctx, query),
        listTagGroups(ctx),
        scope === 'own' ? Promise.resolve([]) : listAssignableOwners(ctx),
        scope === 'org' ? listStoreChoices(ctx) : Promise.resolve([]),
      ]);
      const tagNames = await tagNamesFor(ctx, items.flatMap((c) => c.tagIds));
      const pages = Math.max(1, Math.ceil(total / query.limit));
      const base = new URLSearchParams({
        q: query.q,
        match: query.match,
        sort: query.sort,
        ...(query.tags.length ? { tags: query.tags.join(',') } : {}),
        ...(query.source ? { source: query.source } : {}),
        ...(query.birthdayMonth ? { birthdayMonth: String(query.birthdayMonth) } : {}),
        ...(query.owner ? { owner: query.owner } : {}),
        ...(query.store ? { store: query.store } : {}),
      });
      const pageLink = (page: number) => `/customers?${new URLSearchParams({ ...Object.fromEntries(base), page: String(page) })}`;
      res.render('pages/customers/list', {
        title: tr(req, 'customers.title'),
        // A part of a number gets its own hint, with what was typed kept in the box; any other bad filter the general one.
        numberSearchHint,
        invalidFilter: !parsed.success && !numberSearchHint,
        query: { ...query, tags: query.tags, q: numberSearchHint ? String(req.query.q ?? '').slice(0, 60) : query.q },
        customers: items.map((c) => presentCustomerRow(c, { tagNames })),
        total,
        tagGroups: tags.groups.map((g) => presentTagGroup(g)),
        personalTags: tags.personal.map((tag) => presentTag(tag)),
        sources: customerSources,
        months: Array.from({ length: 12 }, (_, i) => i + 1),
        owners: owners.map((s) => ({ id: String(s._id), name: s.realName })),
        stores: stores.map((s) => ({ id: String(s._id), name: s.name })),
        sorts: ['updated', 'name', 'created'],
        page: query.page,
        pages,
        prevLink: query.page > 1 ? pageLink(query.page - 1) : null,
        nextLink: query.page < pages ? pageLink(query.page + 1) : null,
        canWrite: can(ctx.actor, 'customer.write'),
        exportAction: `/customers/export?${base}`,
        tagCountsUrl: `/customers/tag-counts?${base}`,
      });
    },
  }),
  route({
    method: 'get',
    path: '/customers/tag-counts',
    access: { permission: 'customer.read' },
    // Asked by the list page's script when its tag filter opens; the filter is the list's, with the same limits.
    handler: async (req, res) => {
      const counts = await countCustomerTags(ctxOf(req), customerListQuery.parse(req.query));
      res.json({ tagCounts: Object.fromEntries(counts) });
    },
  }),
  route({
    method: 'get',
    path: '/customers/new',
    access: { permission: 'customer.write' },
    handler: async (req, res) => res.render('pages/customers/form', { ...(await formModel(req, 'customers.new')), values: { tagIds: [], relatives: relativeRows([]), source: 'in_store', gender: 'unknown' }, action: '/customers' }),
  }),
  route({
    method: 'post',
    path: '/customers',
    access: { permission: 'customer.write' },
    handler: async (req, res) => {
      let duplicate = {};
      await handleForm(req, res, {
        schema: customerFormSchema,
        view: 'pages/customers/form',
        formValues: postedValues,
        model: async () => ({ ...(await formModel(req, 'customers.new')), action: '/customers', ...duplicate }),
        onValid: async (input) => {
          try {
            const customer = await addCustomer(ctxOf(req), input);
            flash(req, 'success', 'customers.created', { name: customer.name });
            return `/customers/${customer._id}`;
          } catch (err) {
            duplicate = duplicateModel(req, err);
            throw err;
          }
        },
      });
    },
  }),
  route({
    method: 'post',
    path: '/customers/bulk-tags',
    access: { permission: 'customer.write' },
    handler: async (req, res) => {
      const back = typeof (req.body ?? {}).back === 'string' && (req.body ?? {}).back.startsWith('/customers') ? (req.body ?? {}).back : '/customers';
      const parsed = bulkTagFormSchema.safeParse(req.body);
      if (!parsed.success) {
        // Nothing chosen: say what is missing on the list the person came from.
        flash(req, 'danger', 'customers.bulkIncomplete');
        return res.redirect(303, back);
      }
      const { updated } = await bulkChangeTags(ctxOf(req), parsed.data as { ids: string[]; add: string[]; remove: string[] });
      flash(req, 'success', 'customers.bulkTagged', { count: updated });
      res.redirect(303, back);
    },
  }),
  route({
    // A POST with CSRF: an export is audited, so another site's link must not make one. The filter stays in the address.
    method: 'post',
    path: '/customers/export',
    access: { permission: 'customer.read' },
    stepUp: true,
    handler: async (req, res) => {
      const filter = customerListQuery.parse(req.query);
      startCsvDownload(res, 'customers');
      await exportCustomersCsv(ctxOf(req), filter, res);
    },
  }),
  route({
    method: 'get',
    path: '/customers/:id/erase',
    access: { permission: 'customer.erase' },
    handler: async (req, res) => {
      const customer = await getCustomer(ctxOf(req), String(req.params.id), 'customer.write');
      res.render('pages/customers/erase', { title: tr(req, 'erase.title'), customer: { id: String(customer._id), name: customer.name } });
    },
  }),
  route({
    method: 'post',
    path: '/customers/:id/erase',
    access: { permission: 'customer.erase' },
    stepUp: true,
    handler: async (req, res) => {
      await eraseCustomer(ctxOf(req), String(req.params.id));
      flash(req, 'success', 'erase.done');
      res.redirect(303, '/customers');
    },
  }),
  route({
    method: 'get',
    path: '/customers/:id',
    access: { permission: 'customer.read' },
    handler: async (req, res) => res.render('pages/customers/detail', await detailModel(req, String(req.params.id))),
  }),
  route({
    method: 'post',
    path: '/customers/:id/reveal-phone',
    access: { permission: 'customer.personal_data' },
    stepUp: true,
    handler: async (req, res) => {
      const phone = await revealCustomerPhone(ctxOf(req), String(req.params.id));
      res.setHeader('Cache-Control', 'no-store');
      res.render('pages/customers/detail', await detailModel(req, String(req.params.id), phone));
    },
  }),
  route({
    method: 'post',
    path: '/customers/:id/share',
    access: { permission: 'customer.write' },
    handler: async (req, res) => {
      const parsed = shareSchema.safeParse(req.body);
      if (!parsed.success) flash(req, 'danger', 'share.chooseColleague');
      else {
        await setCustomerSharing(ctxOf(req), String(req.params.id), parsed.data);
        flash(req, 'success', parsed.data.shared ? 'share.shared' : 'share.unshared');
      }
      res.redirect(303, `/customers/${String(req.params.id)}`);
    },
  }),
  route({
    method: 'post',
    path: '/customers/:id/tags',
    access: { permission: 'customer.write' },
    handler: async (req, res) => {
      const ctx = ctxOf(req);
      const customer = await getCustomer(ctx, String(req.params.id), 'customer.write');
      const wanted = new Set(list((req.body ?? {}).tagIds).map(String));
      const visible = await tagNamesFor(ctx, customer.tagIds);
      const current = customer.tagIds.map(String).filter((id) => visible.has(id));
      const change = tagChangeSchema.safeParse({ add: [...wanted].filter((id) => !current.includes(id)), remove: current.filter((id) => !wanted.has(id)) });
      if (change.success) await changeCustomerTags(ctx, String(customer._id), change.data);
      flash(req, 'success', 'customers.tagsSaved');
      res.redirect(303, `/customers/${customer._id}`);
    },
  }),
  route({
    method: 'get',
    path: '/customers/:id/edit',
    access: { permission: 'customer.write' },
    handler: async (req, res) => {
      const customer = await getCustomer(ctxOf(req), String(req.params.id), 'customer.write');
      res.render('pages/customers/form', { ...(await formModel(req, 'customers.edit')), values: storedValues(customer), action: `/customers/${customer._id}`, editing: true, customerId: String(customer._id) });
    },
  }),
  route({
    method: 'post',
    path: '/customers/:id',
    access: { permission: 'customer.write' },
    handler: async (req, res) => {
      const customer = await getCustomer(ctxOf(req), String(req.params.id), 'customer.write');
      const masked = maskPhone(customer.phone);
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (body.phone === masked) body.phone = customer.phone;
      let duplicate = {};
      await handleForm(req, res, {
        schema: customerFormSchema,
        view: 'pages/customers/form',
        formValues: (posted) => ({ ...postedValues(posted), ...(posted.phone === customer.phone ? { phone: masked } : {}) }),
        model: async () => ({ ...(await formModel(req, 'customers.edit')), action: `/customers/${customer._id}`, editing: true, customerId: String(customer._id), ...duplicate }),
        onValid: async (input) => {
          try {
            // The edit form has no owner or store: those change through a transfer.
            await updateCustomer(ctxOf(req), String(customer._id), { ...input, ownerId: undefined, storeId: undefined });
          } catch (err) {
            duplicate = duplicateModel(req, err);
            throw err;
          }
          flash(req, 'success', 'customers.updated', { name: input.name });
          return `/customers/${customer._id}`;
        },
      });
    },
  }),
];
