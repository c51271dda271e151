import { Router } from 'express';
import { mount, route, ctxOf } from '../define.js';
import { createTokenSchema } from '../schemas/auth.schema.js';
import { storeSchema } from '../schemas/store.schema.js';
import { newStaffSchema, staffProfileSchema } from '../schemas/staff.schema.js';
import { updateSettingsSchema } from '../schemas/settings.schema.js';
import { createApiTokenWithPassword, listOwnApiTokens, revokeApiToken } from '../../services/auth/api-tokens.js';
import { createStore, getStore, listStoreChoices, listStores, updateStore } from '../../services/org/stores.js';
import { createStaff, deactivateStaff, getOwnProfile, getStaff, listStaff, reactivateStaff, updateStaff } from '../../services/org/staff.js';
import { getOrganization, updateOrgSettings } from '../../services/org/settings.js';
import { effectiveSettings } from '../../services/settings/org-settings.js';
import { presentStore, storeNameMap } from '../../presenters/store.js';
import { presentStaff } from '../../presenters/staff.js';
import { presentToken } from '../../presenters/token.js';
import { clientIp } from '../../middlewares/auth.js';
import { NotFoundError } from '../../errors.js';
import { customerApiRoutes } from '../customers/customers.api.js';
import { customerPageLinkApiRoutes } from '../customers/page-links.api.js';
import { customerTransferApiRoutes } from '../customers/transfers.api.js';
import { tagApiRoutes } from '../tags/tags.api.js';
import { customerImportApiRoutes } from './customer-imports.js';
import { followupApiRoutes } from './followups.js';
import { chatApiRoutes } from './chat.js';
import { chatReportApiRoutes } from './chat-reports.js';
import { groupApiRoutes } from './groups.js';
import { momentApiRoutes } from './moments.js';
import { campaignApiRoutes } from './campaigns.js';
import { mediaApiRoutes } from './media.js';
import { z } from 'zod';

const staffListQuery = z.object({ status: z.enum(['active', 'left']).optional() });

/** /api/v1: bearer tokens, JSON in and out, errors as {error: {code, message, details?}}. */
export function apiRouter(): Router {
  const router = mount(Router(), 'api', [
    route({
      method: 'post',
      path: '/tokens',
      access: { public: true },
      handler: async (req, res) => {
        const input = createTokenSchema.parse(req.body);
        const { token, id } = await createApiTokenWithPassword({ ...input, ip: clientIp(req) });
        res.status(201).json({ token, id });
      },
    }),
    route({
      method: 'get',
      path: '/tokens',
      access: { permission: 'token.manage_own' },
      handler: async (req, res) => res.json({ items: (await listOwnApiTokens(ctxOf(req))).map(presentToken) }),
    }),
    route({
      method: 'delete',
      path: '/tokens/:id',
      access: { permission: 'token.manage_own' },
      handler: async (req, res) => {
        await revokeApiToken(ctxOf(req), String(req.params.id));
        res.status(204).end();
      },
    }),
    route({
      method: 'get',
      path: '/me',
      access: { signedIn: true },
      handler: async (req, res) => {
        const ctx = ctxOf(req);
        const [me, stores] = await Promise.all([getOwnProfile(ctx), listStoreChoices(ctx)]);
        res.json(presentStaff(me, storeNameMap(stores)));
      },
    }),

    route({
      method: 'get',
      path: '/stores',
      access: { permission: 'store.read' },
      handler: async (req, res) => res.json({ items: (await listStores(ctxOf(req))).map(presentStore) }),
    }),
    route({
      method: 'post',
      path: '/stores',
      access: { permission: 'store.manage' },
      handler: async (req, res) => res.status(201).json(presentStore(await createStore(ctxOf(req), storeSchema.parse(req.body)))),
    }),
    route({
      method: 'get',
      path: '/stores/:id',
      access: { permission: 'store.read' },
      handler: async (req, res) => res.json(presentStore(await getStore(ctxOf(req), String(req.params.id)))),
    }),
    route({
      method: 'patch',
      path: '/stores/:id',
      access: { permission: 'store.manage' },
      handler: async (req, res) => {
        const ctx = ctxOf(req);
        const current = presentStore(await getStore(ctx, String(req.params.id)));
        const input = storeSchema.parse({ ...current, ...(req.body as object) });
        res.json(presentStore(await updateStore(ctx, current.id, input)));
      },
    }),

    route({
      method: 'get',
      path: '/staff',
      access: { permission: 'staff.read' },
      handler: async (req, res) => {
        const ctx = ctxOf(req);
        const query = staffListQuery.parse(req.query);
        const [staff, stores] = await Promise.all([listStaff(ctx, query), listStoreChoices(ctx)]);
        const names = storeNameMap(stores);
        res.json({ items: staff.map((s) => presentStaff(s, names)) });
      },
    }),
    route({
      method: 'post',
      path: '/staff',
      access: { permission: 'staff.manage' },
      handler: async (req, res) => res.status(201).json(presentStaff(await createStaff(ctxOf(req), newStaffSchema.parse(req.body)))),
    }),
    route({
      method: 'get',
      path: '/staff/:id',
      access: { permission: 'staff.read' },
      handler: async (req, res) => res.json(presentStaff(await getStaff(ctxOf(req), String(req.params.id)))),
    }),
    route({
      method: 'patch',
      path: '/staff/:id',
      access: { permission: 'staff.manage' },
      handler: async (req, res) => {
        const ctx = ctxOf(req);
        const current = presentStaff(await getStaff(ctx, String(req.params.id)));
        const input = staffProfileSchema.parse({ ...current, ...(req.body as object) });
        res.json(presentStaff(await updateStaff(ctx, current.id, input)));
      },
    }),
    route({
      method: 'post',
      path: '/staff/:id/deactivate',
      access: { permission: 'staff.manage' },
      handler: async (req, res) => res.json(presentStaff(await deactivateStaff(ctxOf(req), String(req.params.id)))),
    }),
    route({
      method: 'post',
      path: '/staff/:id/reactivate',
      access: { permission: 'staff.manage' },
      handler: async (req, res) => res.json(presentStaff(await reactivateStaff(ctxOf(req), String(req.params.id)))),
    }),

    route({
      method: 'get',
      path: '/org/settings',
      access: { permission: 'org.settings.read' },
      handler: async (req, res) => {
        const org = await getOrganization(ctxOf(req));
        res.json({ name: org.name, settings: effectiveSettings(org.settings) });
      },
    }),
    route({
      method: 'patch',
      path: '/org/settings',
      access: { permission: 'org.settings.manage' },
      stepUp: true,
      handler: async (req, res) => {
        const ctx = ctxOf(req);
        const org = await getOrganization(ctx);
        const { name, ...settings } = updateSettingsSchema.parse({ name: org.name, ...effectiveSettings(org.settings), ...(req.body as object) });
        const updated = await updateOrgSettings(ctx, { name, settings });
        res.json({ name: updated.name, settings: effectiveSettings(updated.settings) });
      },
    }),
    ...customerImportApiRoutes,
    // After the imports: `/customers/imports…` must win over `/customers/:id`.
    ...customerPageLinkApiRoutes,
    ...customerTransferApiRoutes,
    ...customerApiRoutes,
    ...tagApiRoutes,
    ...followupApiRoutes,
    ...chatApiRoutes,
    ...chatReportApiRoutes,
    ...groupApiRoutes,
    ...momentApiRoutes,
    ...campaignApiRoutes,
    ...mediaApiRoutes,
  ]);
  router.use((_req, _res, next) => next(new NotFoundError('No such API endpoint')));
  return router;
}
