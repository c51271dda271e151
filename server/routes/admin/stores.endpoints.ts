import { endpoint } from '../../http/endpoint.js';
import { idParams, patchedStore, storePatchBody, storeSchema } from './stores.schema.js';
import { createStore, getStore, listStores, patchStore as patchStoreWith, updateStore } from '../../services/org/stores.js';
import { presentStore } from '../../presenters/store.js';

/** The store use cases, each declared once; stores.api.ts and stores.pages.ts serve them. */

const read = { permission: 'store.read' } as const;
const manage = { permission: 'store.manage' } as const;

export const listAllStores = endpoint({ access: read, run: (ctx) => listStores(ctx) });

/** The admin list: the same list, for those who manage stores. */
export const manageStores = endpoint({ access: manage, run: (ctx) => listStores(ctx) });

/** The empty form needs nothing from the database. */
export const newStoreForm = endpoint({ access: manage, run: () => null });

export const addStore = endpoint({
  access: manage,
  input: { body: storeSchema },
  run: (ctx, { body }) => createStore(ctx, body),
});

export const showStore = endpoint({
  access: read,
  input: { params: idParams },
  run: (ctx, { params }) => getStore(ctx, params.id),
});

export const editStoreForm = endpoint({
  access: manage,
  input: { params: idParams },
  run: (ctx, { params }) => getStore(ctx, params.id),
});

export const changeStore = endpoint({
  access: manage,
  input: { params: idParams, body: storeSchema },
  run: (ctx, { params, body }) => updateStore(ctx, params.id, body),
});

/** The fields left out keep their stored values: laid over the stored store, then checked and saved as a whole. */
export const patchStore = endpoint({
  access: manage,
  input: { params: idParams, body: storePatchBody },
  run: (ctx, { params, body }) => patchStoreWith(ctx, params.id, (stored) => patchedStore(presentStore(stored), body)),
});
