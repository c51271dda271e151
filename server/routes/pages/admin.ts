import type { Request } from 'express';
import { route, ctxOf, type RouteSpec } from '../define.js';
import { handleForm } from '../forms.js';
import { flash } from '../flash.js';
import { storeSchema } from '../schemas/store.schema.js';
import { newStaffSchema, resetPasswordSchema, staffProfileSchema } from '../schemas/staff.schema.js';
import { updateSettingsSchema } from '../schemas/settings.schema.js';
import { createStore, getStore, listStoreChoices, listStores, updateStore } from '../../services/org/stores.js';
import { createStaff, deactivateStaff, getStaff, listStaff, reactivateStaff, resetStaffPassword, updateStaff } from '../../services/org/staff.js';
import { getOrganization, getOrgSettings, updateOrgSettings } from '../../services/org/settings.js';
import { listAuditEvents } from '../../services/audit/record-audit.js';
import { effectiveSettings, massMessagePolicies } from '../../services/settings/org-settings.js';
import { presentStore, storeNameMap } from '../../presenters/store.js';
import { presentStaff } from '../../presenters/staff.js';
import { presentAuditEvent } from '../../presenters/audit.js';
import { roles } from '../../models/staff.js';
import { tr } from '../translate.js';
import { listJobsOverview, retryOrgJob } from '../../services/jobs/job-admin.js';
import { presentJobRow } from '../../presenters/job.js';
import { timezoneChoices, timezoneName } from '../../presenters/timezones.js';
import { ServiceUnavailableError } from '../../errors.js';


async function staffFormModel(req: Request, key: string) {
  const [stores, settings] = await Promise.all([listStoreChoices(ctxOf(req)), getOrgSettings(ctxOf(req))]);
  return {
    title: tr(req, key),
    stores: stores.map((s) => ({ id: String(s._id), name: s.name })),
    roles: [...roles],
    dndDefault: { start: settings.dndStart, end: settings.dndEnd, timezone: timezoneName(settings.timezone, req.locale) },
  };
}

export const adminRoutes: RouteSpec[] = [
  // Stores
  route({
    method: 'get',
    path: '/admin/stores',
    access: { permission: 'store.manage' },
    handler: async (req, res) => {
      const stores = await listStores(ctxOf(req));
      res.render('pages/admin/stores', { title: tr(req, 'stores.title'), stores: stores.map(presentStore) });
    },
  }),
  route({
    method: 'get',
    path: '/admin/stores/new',
    access: { permission: 'store.manage' },
    handler: (req, res) => res.render('pages/admin/store-form', { title: tr(req, 'stores.new'), values: {}, action: '/admin/stores' }),
  }),
  route({
    method: 'post',
    path: '/admin/stores',
    access: { permission: 'store.manage' },
    handler: (req, res) =>
      handleForm(req, res, {
        schema: storeSchema,
        view: 'pages/admin/store-form',
        model: () => ({ title: tr(req, 'stores.new'), action: '/admin/stores' }),
        onValid: async (input) => {
          await createStore(ctxOf(req), input);
          flash(req, 'success', 'stores.created', { name: input.name });
          return '/admin/stores';
        },
      }),
  }),
  route({
    method: 'get',
    path: '/admin/stores/:id/edit',
    access: { permission: 'store.manage' },
    handler: async (req, res) => {
      const store = presentStore(await getStore(ctxOf(req), String(req.params.id)));
      res.render('pages/admin/store-form', { title: tr(req, 'stores.edit'), values: store, action: `/admin/stores/${store.id}`, editing: true });
    },
  }),
  route({
    method: 'post',
    path: '/admin/stores/:id',
    access: { permission: 'store.manage' },
    handler: async (req, res) => {
      const store = presentStore(await getStore(ctxOf(req), String(req.params.id)));
      await handleForm(req, res, {
        schema: storeSchema,
        view: 'pages/admin/store-form',
        model: () => ({ title: tr(req, 'stores.edit'), action: `/admin/stores/${store.id}`, editing: true }),
        onValid: async (input) => {
          await updateStore(ctxOf(req), store.id, input);
          flash(req, 'success', 'stores.updated', { name: input.name });
          return '/admin/stores';
        },
      });
    },
  }),

  // Staff
  route({
    method: 'get',
    path: '/admin/staff',
    access: { permission: 'staff.manage' },
    handler: async (req, res) => {
      const ctx = ctxOf(req);
      const [staff, stores] = await Promise.all([listStaff(ctx), listStoreChoices(ctx)]);
      const names = storeNameMap(stores);
      res.render('pages/admin/staff', { title: tr(req, 'staff.title'), staff: staff.map((s) => presentStaff(s, names)) });
    },
  }),
  route({
    method: 'get',
    path: '/admin/staff/new',
    access: { permission: 'staff.manage' },
    handler: async (req, res) => {
      const model = await staffFormModel(req, 'staff.new');
      // A new member starts with the organisation's do-not-disturb window, shown so it can be changed before saving.
      res.render('pages/admin/staff-form', { ...model, values: { roles: ['clerk'], dndStart: model.dndDefault.start, dndEnd: model.dndDefault.end }, creating: true });
    },
  }),
  route({
    method: 'post',
    path: '/admin/staff',
    access: { permission: 'staff.manage' },
    handler: (req, res) =>
      handleForm(req, res, {
        schema: newStaffSchema,
        view: 'pages/admin/staff-form',
        model: async () => ({ ...(await staffFormModel(req, 'staff.new')), creating: true }),
        onValid: async (input) => {
          const staff = await createStaff(ctxOf(req), input);
          flash(req, 'success', 'staff.created', { name: staff.realName });
          return '/admin/staff';
        },
      }),
  }),
  route({
    method: 'get',
    path: '/admin/staff/:id/edit',
    access: { permission: 'staff.manage' },
    handler: async (req, res) => {
      const staff = presentStaff(await getStaff(ctxOf(req), String(req.params.id)));
      res.render('pages/admin/staff-form', { ...(await staffFormModel(req, 'staff.edit')), values: staff, staff });
    },
  }),
  route({
    method: 'post',
    path: '/admin/staff/:id',
    access: { permission: 'staff.manage' },
    handler: async (req, res) => {
      const staff = presentStaff(await getStaff(ctxOf(req), String(req.params.id)));
      await handleForm(req, res, {
        schema: staffProfileSchema,
        view: 'pages/admin/staff-form',
        model: async () => ({ ...(await staffFormModel(req, 'staff.edit')), staff }),
        onValid: async (input) => {
          await updateStaff(ctxOf(req), staff.id, input);
          flash(req, 'success', 'staff.updated', { name: input.realName });
          return '/admin/staff';
        },
      });
    },
  }),
  route({
    method: 'post',
    path: '/admin/staff/:id/deactivate',
    access: { permission: 'staff.manage' },
    handler: async (req, res) => {
      const staff = await deactivateStaff(ctxOf(req), String(req.params.id));
      flash(req, 'success', 'staff.deactivated', { name: staff.realName });
      res.redirect(303, '/admin/staff');
    },
  }),
  route({
    method: 'post',
    path: '/admin/staff/:id/reactivate',
    access: { permission: 'staff.manage' },
    handler: async (req, res) => {
      const staff = await reactivateStaff(ctxOf(req), String(req.params.id));
      flash(req, 'success', 'staff.reactivated', { name: staff.realName });
      res.redirect(303, '/admin/staff');
    },
  }),
  route({
    method: 'post',
    path: '/admin/staff/:id/password',
    access: { permission: 'staff.manage' },
    handler: async (req, res) => {
      const staff = presentStaff(await getStaff(ctxOf(req), String(req.params.id)));
      await handleForm(req, res, {
        schema: resetPasswordSchema,
        view: 'pages/admin/staff-form',
        model: async () => ({ ...(await staffFormModel(req, 'staff.edit')), staff }),
        // The profile form above it shows the stored profile, not the empty one a password post would give it.
        formValues: () => ({ ...staff }),
        onValid: async (input) => {
          await resetStaffPassword(ctxOf(req), staff.id, input.password);
          flash(req, 'success', 'staff.passwordReset', { name: staff.realName });
          return '/admin/staff';
        },
      });
    },
  }),

  // Organisation settings: changing limits is a sensitive action (step-up).
  route({
    method: 'get',
    path: '/admin/settings',
    access: { permission: 'org.settings.manage' },
    stepUp: true,
    handler: async (req, res) => {
      const org = await getOrganization(ctxOf(req));
      const values = { name: org.name, ...effectiveSettings(org.settings) };
      res.render('pages/admin/settings', { title: tr(req, 'settings.title'), massMessagePolicies, timezones: timezoneChoices(req.locale, [values.timezone]), values });
    },
  }),
  route({
    method: 'post',
    path: '/admin/settings',
    access: { permission: 'org.settings.manage' },
    stepUp: true,
    handler: (req, res) =>
      handleForm(req, res, {
        schema: updateSettingsSchema,
        view: 'pages/admin/settings',
        // What was posted stays a choice even when the server refuses it, so the form shows what was sent.
        model: () => ({ title: tr(req, 'settings.title'), massMessagePolicies, timezones: timezoneChoices(req.locale, [String((req.body as { timezone?: unknown }).timezone ?? '')]) }),
        onValid: async ({ name, ...settings }) => {
          await updateOrgSettings(ctxOf(req), { name, settings });
          flash(req, 'success', 'settings.saved');
          return '/admin/settings';
        },
      }),
  }),

  route({
    method: 'get',
    path: '/admin/audit',
    access: { permission: 'audit.read' },
    handler: async (req, res) => {
      const events = await listAuditEvents(ctxOf(req), { limit: 100 });
      res.render('pages/admin/audit', { title: tr(req, 'audit.title'), events: events.map(presentAuditEvent) });
    },
  }),
  route({
    method: 'get',
    path: '/admin/jobs',
    access: { permission: 'job.read' },
    handler: async (req, res) => {
      try {
        const rows = await listJobsOverview(ctxOf(req), req.app.locals.agenda);
        const view = { t: (key: string, params?: Record<string, unknown>) => tr(req, key, params), locale: req.locale };
        res.render('pages/admin/jobs', { title: tr(req, 'jobs.title'), jobs: rows.map((row) => presentJobRow(row, view)) });
      } catch (err) {
        if (!(err instanceof ServiceUnavailableError)) throw err;
        res.status(503).render('pages/admin/jobs', { title: tr(req, 'jobs.title'), jobs: [], unavailable: true });
      }
    },
  }),
  route({
    method: 'post',
    path: '/admin/jobs/:id/retry',
    access: { permission: 'job.manage' },
    handler: async (req, res) => {
      await retryOrgJob(ctxOf(req), req.app.locals.agenda, String(req.params.id));
      flash(req, 'success', 'jobs.retried');
      res.redirect(303, '/admin/jobs');
    },
  }),
];
