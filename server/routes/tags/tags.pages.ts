import type { RouteSpec } from '../../http/gate.js';
import { form, page } from '../../http/surfaces.js';
import * as tags from './tags.endpoints.js';
import type { ServiceContext } from '../../services/context.js';
import { editTagModel, loadEditTagModel, loadTagsModel, tagsModel } from './tags.view.js';

const index = 'pages/tags/index';
const again = ({ ctx, t }: { ctx: ServiceContext; t: (key: string) => string }) => loadTagsModel(ctx, t);

/** The tags page and its forms. Fixed paths (`groups`, `personal`) come before `/tags/:id`: Express matches in order. */
export const tagPageRoutes: RouteSpec[] = [
  page.get('/tags', tags.tagsPage, { view: index, model: (result, { ctx, t }) => ({ ...tagsModel(ctx, result, t), values: {} }) }),
  form.post('/tags/groups', tags.addTagGroupForm, {
    view: index,
    model: again,
    flash: (_group, { body }) => ({ key: 'tags.groupCreated', params: { name: body.name } }),
    redirect: '/tags',
  }),
  form.post('/tags/groups/:id/tags', tags.addTagsForm, {
    view: index,
    // Every group has an add form under one field name: only the refused group's shows what was typed.
    model: async ({ ctx, params, t }) => ({ ...(await loadTagsModel(ctx, t)), addingTo: params.id }),
    flash: (_added, { body }) => ({ key: 'tags.added', params: { count: body.tags.length } }),
    redirect: '/tags',
  }),
  form.post('/tags/groups/:id', tags.changeGroupForm, {
    view: index,
    model: again,
    flash: (_result, { body }) => (body.move ? [] : 'tags.groupSaved'),
    redirect: '/tags',
  }),
  form.post('/tags/personal', tags.addPersonalTag, { view: index, model: again, flash: { key: 'tags.added', params: { count: 1 } }, redirect: '/tags' }),
  page.get('/tags/:id/edit', tags.editTagPage, {
    view: 'pages/tags/edit',
    model: (found, { t }) => ({ ...editTagModel(found, t), values: { name: found.tag.name } }),
  }),
  form.post('/tags/:id', tags.renameTagForm, {
    view: 'pages/tags/edit',
    model: ({ ctx, params, t }) => loadEditTagModel(ctx, params.id, t),
    flash: (_tag, { body }) => ({ key: 'tags.renamed', params: { name: body.name } }),
    redirect: '/tags',
  }),
  form.post('/tags/:id/delete', tags.deleteTagForm, { flash: ({ customers }) => ({ key: 'tags.deleted', params: { count: customers } }), redirect: '/tags' }),
];
