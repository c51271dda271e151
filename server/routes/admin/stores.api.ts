import type { RouteSpec } from '../../http/gate.js';
import { api } from '../../http/surfaces.js';
import { presentStore } from '../../presenters/store.js';
import * as stores from './stores.endpoints.js';

/** /api/v1/stores. */
export const storeApiRoutes: RouteSpec[] = [
  api.get('/stores', stores.listAllStores, { present: (list) => ({ items: list.map(presentStore) }) }),
  api.post('/stores', stores.addStore, { status: 201, present: presentStore }),
  api.get('/stores/:id', stores.showStore, { present: presentStore }),
  api.patch('/stores/:id', stores.patchStore, { present: presentStore }),
];
