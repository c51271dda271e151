import type { RouteSpec } from '../../http/gate.js';
import type { CustomerDoc } from '../../models/customer.js';
import type { ServiceContext } from '../../services/context.js';
import { api, csv } from '../../http/surfaces.js';
import * as customers from './customers.endpoints.js';
import { customerListPayload, customerPayload, timelinePayload } from './customers.view.js';

const presentCustomer = (customer: CustomerDoc, { ctx }: { ctx: ServiceContext }) => customerPayload(customer, ctx);

/** /api/v1/customers. Fixed paths come before `/customers/:id` (Express matches in order). */
export const customerApiRoutes: RouteSpec[] = [
  api.get('/customers', customers.listCustomersApi, { present: (result, { ctx, input }) => customerListPayload(result, ctx, input.query) }),
  api.post('/customers', customers.addCustomerApi, { status: 201, present: presentCustomer }),
  api.post('/customers/bulk-tags', customers.bulkTagsApi),
  csv.post('/customers/export', customers.exportCustomersApi, { fileName: 'customers' }),
  api.delete('/customers/:id', customers.eraseCustomerEndpoint, { status: 204 }),
  api.post('/customers/transfer', customers.transfer),
  api.get('/customers/waiting-transfer', customers.waitingForTransfer, { present: (items) => ({ items }) }),
  api.get('/customers/:id', customers.showCustomer, { present: presentCustomer }),
  api.patch('/customers/:id', customers.patchCustomerApi, { present: presentCustomer }),
  api.post('/customers/:id/tags', customers.changeTags, { present: presentCustomer }),
  api.post('/customers/:id/share', customers.shareCustomer, { present: presentCustomer }),
  api.post('/customers/:id/reveal-phone', customers.revealPhone, { headers: { 'Cache-Control': 'no-store' }, present: (phone) => ({ phone }) }),
  api.get('/customers/:id/timeline', customers.timeline, { present: timelinePayload }),
];
