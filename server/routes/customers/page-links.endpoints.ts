import { endpoint } from '../../http/endpoint.js';
import { idParams } from './customers.schema.js';
import { issueCustomerPageLink, showCustomerPageLink, signOutCustomerPage } from '../../services/members/links.js';

/** The personal link to a customer's own page: seen as often as needed, replaced only on purpose. */

const write = { permission: 'customer.write' } as const;

export const showPageLink = endpoint({
  access: write,
  input: { params: idParams },
  run: (ctx, { params }) => showCustomerPageLink(ctx, params.id),
});

export const issuePageLink = endpoint({
  access: write,
  input: { params: idParams },
  run: (ctx, { params }) => issueCustomerPageLink(ctx, params.id),
});

export const signOutPage = endpoint({
  access: write,
  input: { params: idParams },
  run: (ctx, { params }) => signOutCustomerPage(ctx, params.id),
});
