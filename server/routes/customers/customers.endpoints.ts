import type { Writable } from 'node:stream';
import { endpoint } from '../../http/endpoint.js';
import {
  bulkTagFormSchema,
  bulkTagSchema,
  customerEditFormSchema,
  customerFormSchema,
  customerListPageQuery,
  customerListQuery,
  customerPatchSchema,
  customerSchema,
  idParams,
  shareSchema,
  tagChangeSchema,
  tagChoiceFormSchema,
  transferSchema,
} from './customers.schema.js';
import {
  addCustomer,
  bulkChangeTags,
  changeCustomerTags,
  countCustomerTags,
  getCustomer,
  listCustomers,
  listTimeline,
  revealCustomerPhone,
  setCustomerSharing,
} from '../../services/customers/customers.js';
import { editCustomer, patchCustomer, setCustomerTags } from '../../services/customers/customer-edits.js';
import { customerFormChoices } from '../../services/customers/choices.js';
import { exportCustomersCsv } from '../../services/customers/export.js';
import { eraseCustomer } from '../../services/customers/erase.js';
import { listWaitingForTransfer, transferCustomers } from '../../services/customers/transfer.js';

/** The customer use cases, each declared once; customers.api.ts and customers.pages.ts serve them. */

const read = { permission: 'customer.read' } as const;
const write = { permission: 'customer.write' } as const;

export const listCustomersApi = endpoint({
  access: read,
  input: { query: customerListQuery },
  run: (ctx, { query }) => listCustomers(ctx, query, { withTagCounts: query.counts }),
});

/** The list page: a bad filter shows the whole list with a hint instead of an error. */
export const listCustomersPage = endpoint({
  access: read,
  input: { query: customerListPageQuery },
  run: (ctx, { query }) => listCustomers(ctx, query.filter),
});

/** Asked by the list page's script when its tag filter opens; the filter is the list's, with the same limits. */
export const countTags = endpoint({
  access: read,
  input: { query: customerListQuery },
  run: (ctx, { query }) => countCustomerTags(ctx, query),
});

export const showCustomer = endpoint({
  access: read,
  input: { params: idParams },
  run: (ctx, { params }) => getCustomer(ctx, params.id),
});

/** The choices of an empty customer form. */
export const newCustomerForm = endpoint({
  access: write,
  run: (ctx) => customerFormChoices(ctx),
});

export const addCustomerApi = endpoint({
  access: write,
  input: { body: customerSchema },
  run: (ctx, { body }) => addCustomer(ctx, body),
});

export const addCustomerForm = endpoint({
  access: write,
  input: { body: customerFormSchema },
  run: (ctx, { body }) => addCustomer(ctx, body),
});

export const editCustomerForm = endpoint({
  access: write,
  input: { params: idParams },
  run: (ctx, { params }) => getCustomer(ctx, params.id, 'customer.write'),
});

export const updateCustomerForm = endpoint({
  access: write,
  input: { params: idParams, body: customerEditFormSchema },
  run: (ctx, { params, body }) => editCustomer(ctx, params.id, body),
});

export const patchCustomerApi = endpoint({
  access: write,
  input: { params: idParams, body: customerPatchSchema },
  run: (ctx, { params, body }) => patchCustomer(ctx, params.id, body),
});

export const changeTags = endpoint({
  access: write,
  input: { params: idParams, body: tagChangeSchema },
  run: (ctx, { params, body }) => changeCustomerTags(ctx, params.id, body),
});

export const setTagsForm = endpoint({
  access: write,
  input: { params: idParams, body: tagChoiceFormSchema },
  run: (ctx, { params, body }) => setCustomerTags(ctx, params.id, body.tagIds),
});

export const bulkTagsApi = endpoint({
  access: write,
  input: { body: bulkTagSchema },
  run: (ctx, { body }) => bulkChangeTags(ctx, body),
});

export const bulkTagsForm = endpoint({
  access: write,
  input: { body: bulkTagFormSchema },
  run: (ctx, { body: { ids, add, remove } }) => bulkChangeTags(ctx, { ids, add, remove }),
});

export const shareCustomer = endpoint({
  access: write,
  input: { params: idParams, body: shareSchema },
  run: (ctx, { params, body }) => setCustomerSharing(ctx, params.id, body),
});

export const revealPhone = endpoint({
  access: { permission: 'customer.personal_data' },
  stepUp: true,
  input: { params: idParams },
  run: (ctx, { params }) => revealCustomerPhone(ctx, params.id),
});

/** The API sends the list's filter in the body; the page keeps it in the address (a POST with CSRF: an export is audited). */
export const exportCustomersApi = endpoint({
  access: read,
  stepUp: true,
  input: { body: customerListQuery },
  run:
    (ctx, { body }) =>
    (out: Writable) =>
      exportCustomersCsv(ctx, body, out),
});

export const exportCustomersPage = endpoint({
  access: read,
  stepUp: true,
  input: { query: customerListQuery },
  run:
    (ctx, { query }) =>
    (out: Writable) =>
      exportCustomersCsv(ctx, query, out),
});

export const confirmErase = endpoint({
  access: { permission: 'customer.erase' },
  input: { params: idParams },
  run: (ctx, { params }) => getCustomer(ctx, params.id, 'customer.write'),
});

export const eraseCustomerEndpoint = endpoint({
  access: { permission: 'customer.erase' },
  stepUp: true,
  input: { params: idParams },
  run: (ctx, { params }) => eraseCustomer(ctx, params.id),
});

export const timeline = endpoint({
  access: read,
  input: { params: idParams },
  run: (ctx, { params }) => listTimeline(ctx, params.id),
});

export const transfer = endpoint({
  access: { permission: 'customer.transfer' },
  input: { body: transferSchema },
  run: (ctx, { body }) => transferCustomers(ctx, body),
});

export const waitingForTransfer = endpoint({
  access: { permission: 'customer.transfer' },
  run: (ctx) => listWaitingForTransfer(ctx),
});
