import type { RouteSpec } from '../../http/gate.js';
import { form, page } from '../../http/surfaces.js';
import { presentStore } from '../../presenters/store.js';
import * as stores from './stores.endpoints.js';
import { editStoreAgainModel, editStoreModel, newStoreModel, storeListModel } from './stores.view.js';

const FORM = 'pages/admin/store-form';

/** The store admin pages. `/admin/stores/new` comes before `/admin/stores/:id…` (Express matches in order). */
export const storePageRoutes: RouteSpec[] = [
  page.get('/admin/stores', stores.manageStores, { view: 'pages/admin/stores', model: (list, { t }) => storeListModel(list, t) }),
  page.get('/admin/stores/new', stores.newStoreForm, { view: FORM, model: (_none, { t }) => ({ ...newStoreModel(t), values: {} }) }),
  form.post('/admin/stores', stores.addStore, {
    view: FORM,
    model: ({ t }) => newStoreModel(t),
    flash: (_store, { body }) => ({ key: 'stores.created', params: { name: body.name } }),
    redirect: '/admin/stores',
  }),
  page.get('/admin/stores/:id/edit', stores.editStoreForm, {
    view: FORM,
    model: (store, { t }) => ({ ...editStoreModel(String(store._id), t), values: presentStore(store) }),
  }),
  form.post('/admin/stores/:id', stores.changeStore, {
    view: FORM,
    model: ({ ctx, params, t }) => editStoreAgainModel(ctx, params.id, t),
    flash: (_store, { body }) => ({ key: 'stores.updated', params: { name: body.name } }),
    redirect: '/admin/stores',
  }),
];
