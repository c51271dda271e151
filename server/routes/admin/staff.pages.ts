import type { RouteSpec } from '../../http/gate.js';
import { form, page } from '../../http/surfaces.js';
import * as staff from './staff.endpoints.js';
import { editStaffAgainModel, editStaffModel, emptyStaffModel, newStaffModel, staffListModel } from './staff.view.js';

const FORM = 'pages/admin/staff-form';
const LIST = '/admin/staff';

/** The staff admin pages. `/admin/staff/new` comes before `/admin/staff/:id…` (Express matches in order). */
export const staffPageRoutes: RouteSpec[] = [
  page.get('/admin/staff', staff.manageStaff, { view: 'pages/admin/staff', model: (list, { ctx, t }) => staffListModel(ctx, list, t) }),
  page.get('/admin/staff/new', staff.newStaffForm, { view: FORM, model: (_none, { ctx, t, locale }) => emptyStaffModel(ctx, t, locale) }),
  form.post('/admin/staff', staff.addStaff, {
    view: FORM,
    model: ({ ctx, t, locale }) => newStaffModel(ctx, t, locale),
    flash: (member) => ({ key: 'staff.created', params: { name: member.realName } }),
    redirect: LIST,
  }),
  page.get('/admin/staff/:id/edit', staff.editStaffForm, { view: FORM, model: (member, { ctx, t, locale }) => editStaffModel(ctx, member, t, locale) }),
  form.post('/admin/staff/:id', staff.changeStaff, {
    view: FORM,
    model: ({ ctx, params, t, locale }) => editStaffAgainModel(ctx, params.id, t, locale),
    flash: (_member, { body }) => ({ key: 'staff.updated', params: { name: body.realName } }),
    redirect: LIST,
  }),
  form.post('/admin/staff/:id/deactivate', staff.deactivate, {
    flash: (member) => ({ key: 'staff.deactivated', params: { name: member.realName } }),
    redirect: LIST,
  }),
  form.post('/admin/staff/:id/reactivate', staff.reactivate, {
    flash: (member) => ({ key: 'staff.reactivated', params: { name: member.realName } }),
    redirect: LIST,
  }),
  form.post('/admin/staff/:id/password', staff.resetPassword, {
    view: FORM,
    model: ({ ctx, params, t, locale }) => editStaffAgainModel(ctx, params.id, t, locale),
    // The profile form above it shows the stored profile, not the empty one a password post would give it.
    values: (_posted, model) => ({ ...(model.staff as object) }),
    flash: (member) => ({ key: 'staff.passwordReset', params: { name: member.realName } }),
    redirect: LIST,
  }),
];
