import type { RouteSpec } from '../../http/gate.js';
import { api } from '../../http/surfaces.js';
import * as transfers from './transfers.endpoints.js';
import { targetPayload } from './transfers.view.js';

/** /api/v1/customers/transfer-targets, before `/customers/:id` (Express matches in order). */
export const customerTransferApiRoutes: RouteSpec[] = [
  api.get('/customers/transfer-targets', transfers.transferTargets, { present: (targets) => ({ items: targets.map(targetPayload) }) }),
];
