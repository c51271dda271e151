import { tr } from '../translate.js';
import type { Request, Response } from 'express';
import { route, ctxOf, type RouteSpec } from '../define.js';
import { fieldMessages, handleForm } from '../forms.js';
import { fieldErrorsOf } from '../../errors.js';
import { flash } from '../flash.js';
import { tokenNameSchema } from '../schemas/auth.schema.js';
import { reminderSettingsSchema } from '../schemas/profile.schema.js';
import { createApiToken, listOwnApiTokens, revokeApiToken } from '../../services/auth/api-tokens.js';
import { getOwnProfile, updateOwnReminderSettings } from '../../services/org/staff.js';
import { listStoreChoices } from '../../services/org/stores.js';
import { presentStaff } from '../../presenters/staff.js';
import { presentToken } from '../../presenters/token.js';
import { storeNameMap } from '../../presenters/store.js';

async function profileModel(req: Request) {
  const ctx = ctxOf(req);
  const [me, stores, tokens] = await Promise.all([getOwnProfile(ctx), listStoreChoices(ctx), listOwnApiTokens(ctx)]);
  const profile = presentStaff(me, storeNameMap(stores));
  return { title: tr(req, 'profile.title'), profile, tokens: tokens.map(presentToken), values: { dndStart: profile.dndStart, dndEnd: profile.dndEnd, email: profile.email } };
}

async function renderProfile(req: Request, res: Response, extra: Record<string, unknown> = {}) {
  res.render('pages/profile/index', { ...(await profileModel(req)), ...extra });
}

export const profileRoutes: RouteSpec[] = [
  route({ method: 'get', path: '/profile', access: { signedIn: true }, handler: (req, res) => renderProfile(req, res) }),
  route({
    method: 'post',
    path: '/profile/tokens',
    access: { permission: 'token.manage_own' },
    handler: async (req, res) => {
      const parsed = tokenNameSchema.safeParse(req.body);
      if (!parsed.success) {
        // Shown again like any refused form: the name typed, its own message, and not kept by a cache.
        res.status(400).setHeader('Cache-Control', 'no-store');
        const errors = fieldMessages(fieldErrorsOf(parsed.error), req.locale);
        return renderProfile(req, res, { tokenErrors: { name: errors.name }, tokenName: typeof req.body?.name === 'string' ? req.body.name : '' });
      }
      const { token } = await createApiToken(ctxOf(req), parsed.data);
      // Shown once, on this response only; never stored in plain text or put in a redirect.
      res.setHeader('Cache-Control', 'no-store');
      await renderProfile(req, res, { newToken: token, newTokenName: parsed.data.name });
    },
  }),
  route({
    method: 'post',
    path: '/profile/tokens/:id/revoke',
    access: { permission: 'token.manage_own' },
    handler: async (req, res) => {
      await revokeApiToken(ctxOf(req), String(req.params.id));
      flash(req, 'success', 'tokens.revoked');
      res.redirect(303, '/profile');
    },
  }),
  route({
    method: 'post',
    path: '/profile/dnd',
    access: { signedIn: true },
    handler: (req, res) =>
      handleForm(req, res, {
        schema: reminderSettingsSchema,
        view: 'pages/profile/index',
        model: () => profileModel(req),
        onValid: async (input) => {
          await updateOwnReminderSettings(ctxOf(req), input);
          flash(req, 'success', 'profile.dndSaved');
          return '/profile';
        },
      }),
  }),
];
