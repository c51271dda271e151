import { endpoint } from '../../http/endpoint.js';
import { listTransferTargets, transferOverview } from '../../services/customers/transfer.js';

/** Transfers: who may receive customers, and the page of customers waiting. The move itself is customers.endpoints.ts `transfer`. */

const transferAccess = { permission: 'customer.transfer' } as const;

export const transferTargets = endpoint({
  access: transferAccess,
  run: (ctx) => listTransferTargets(ctx),
});

export const transfersPage = endpoint({
  access: transferAccess,
  run: (ctx) => transferOverview(ctx),
});
