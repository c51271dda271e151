import type { RouteSpec } from '../../http/gate.js';
import { form, page } from '../../http/surfaces.js';
import { transfer } from './customers.endpoints.js';
import * as transfers from './transfers.endpoints.js';
import { transferFlashes, transferFormBack, transferLanding, transfersAgainModel, transfersModel } from './transfers.view.js';

/** Before the customer pages: `/customers/transfers` and `/customers/transfer` must win over `/customers/:id`. */
export const customerTransferPageRoutes: RouteSpec[] = [
  page.get('/customers/transfers', transfers.transfersPage, { view: 'pages/customers/transfers', model: (overview, { t }) => transfersModel(overview, t) }),
  form.post('/customers/transfer', transfer, {
    invalid: { flash: 'transfer.chooseTarget', redirect: (_params, body) => transferFormBack(body) },
    // A target the form never offered (a forged or stale choice): the transfers page says why, and nothing moved.
    view: 'pages/customers/transfers',
    model: ({ ctx, t }) => transfersAgainModel(ctx, t),
    flash: (result) => transferFlashes(result),
    redirect: (result, { body }) => transferLanding(result, body),
  }),
];
