import type { RouteSpec } from '../../http/gate.js';
import { api, csv, form, page } from '../../http/surfaces.js';
import * as customers from './customers.endpoints.js';
import { listPageBack } from './customers.schema.js';
import {
  detailModel,
  duplicateModel,
  editAgainModel,
  editFormTarget,
  formModel,
  listModel,
  loadFormModel,
  newFormValues,
  postedValues,
  revealedModel,
  storedValues,
} from './customers.view.js';

/** The customer pages. Fixed paths (`tag-counts`, `new`, `bulk-tags`, `export`) come before `/customers/:id`: Express matches in order. */
export const customerPageRoutes: RouteSpec[] = [
  page.get('/customers', customers.listCustomersPage, {
    view: 'pages/customers/list',
    model: (result, { ctx, input, t }) => listModel(result, ctx, input.query, t),
  }),
  // JSON for the list page's script, with the page's session.
  api.get('/customers/tag-counts', customers.countTags, { present: (counts) => ({ tagCounts: Object.fromEntries(counts) }) }),
  page.get('/customers/new', customers.newCustomerForm, {
    view: 'pages/customers/form',
    model: (choices, { t }) => ({ ...formModel(choices, t('customers.new')), values: newFormValues(), action: '/customers' }),
  }),
  form.post('/customers', customers.addCustomerForm, {
    view: 'pages/customers/form',
    values: postedValues,
    model: async ({ ctx, error, t }) => ({ ...(await loadFormModel(ctx, t('customers.new'))), action: '/customers', ...duplicateModel(error) }),
    flash: (customer) => ({ key: 'customers.created', params: { name: customer.name } }),
    redirect: (customer) => `/customers/${customer._id}`,
  }),
  form.post('/customers/bulk-tags', customers.bulkTagsForm, {
    // Nothing chosen: say what is missing on the list the person came from.
    invalid: { flash: 'customers.bulkIncomplete', redirect: (_params, body) => listPageBack(body.back) },
    flash: ({ updated }) => ({ key: 'customers.bulkTagged', params: { count: updated } }),
    redirect: (_result, { body }) => body.back,
  }),
  // A POST with CSRF: an export is audited, so another site's link must not make one. The filter stays in the address.
  csv.post('/customers/export', customers.exportCustomersPage, { fileName: 'customers' }),
  page.get('/customers/:id/erase', customers.confirmErase, {
    view: 'pages/customers/erase',
    model: (customer, { t }) => ({ title: t('erase.title'), customer: { id: String(customer._id), name: customer.name } }),
  }),
  form.post('/customers/:id/erase', customers.eraseCustomerEndpoint, { flash: 'erase.done', redirect: '/customers' }),
  page.get('/customers/:id', customers.showCustomer, { view: 'pages/customers/detail', model: (customer, { ctx }) => detailModel(customer, ctx) }),
  page.post('/customers/:id/reveal-phone', customers.revealPhone, {
    headers: { 'Cache-Control': 'no-store' },
    model: (phone, { ctx, input }) => revealedModel(ctx, input.params.id, phone),
    view: 'pages/customers/detail',
  }),
  form.post('/customers/:id/share', customers.shareCustomer, {
    invalid: { flash: 'share.chooseColleague', redirect: ({ id }) => `/customers/${id}` },
    flash: (_customer, { body }) => (body.shared ? 'share.shared' : 'share.unshared'),
    redirect: (_customer, { params }) => `/customers/${params.id}`,
  }),
  form.post('/customers/:id/tags', customers.setTagsForm, { flash: 'customers.tagsSaved', redirect: (customer) => `/customers/${customer._id}` }),
  page.get('/customers/:id/edit', customers.editCustomerForm, {
    view: 'pages/customers/form',
    model: async (customer, { ctx, t }) => ({
      ...(await loadFormModel(ctx, t('customers.edit'))),
      values: storedValues(customer),
      ...editFormTarget(String(customer._id)),
    }),
  }),
  form.post('/customers/:id', customers.updateCustomerForm, {
    view: 'pages/customers/form',
    values: postedValues,
    model: ({ ctx, params, error, t }) => editAgainModel(ctx, params.id, error, t('customers.edit')),
    flash: (_customer, { body }) => ({ key: 'customers.updated', params: { name: body.name } }),
    redirect: (customer) => `/customers/${customer._id}`,
  }),
];
