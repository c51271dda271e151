import type { RouteSpec } from '../../http/gate.js';
import { form, page } from '../../http/surfaces.js';
import { signIn, signOut } from '../../http/session-sign-in.js';
import { homePathFor } from '../../presenters/staff.js';
import * as auth from './auth.endpoints.js';
import { nextOfRefused } from './auth.schema.js';
import { confirmPasswordModel, loginModel } from './auth.view.js';

export const authPageRoutes: RouteSpec[] = [
  page.get('/login', auth.loginPage, {
    view: 'pages/auth/login',
    redirect: (actor) => actor && homePathFor(actor),
    model: (_actor, { input, t }) => ({ ...loginModel(input.query.next, t), values: {} }),
  }),
  signIn.post('/login', auth.signInEndpoint, {
    view: 'pages/auth/login',
    secretFields: ['password'],
    model: ({ query, body, t }) => loginModel(nextOfRefused(query, body, ''), t),
    redirect: (_audit, { ctx, input }) => input.body.next || homePathFor(ctx.actor),
  }),
  signOut.post('/logout', auth.signOutEndpoint, { redirect: '/login' }),
  page.get('/confirm-password', auth.confirmPasswordPage, {
    view: 'pages/auth/confirm-password',
    model: (next, { t }) => ({ ...confirmPasswordModel(next, t), values: {} }),
  }),
  form.post('/confirm-password', auth.confirmPasswordEndpoint, {
    view: 'pages/auth/confirm-password',
    secretFields: ['password'],
    model: ({ body, t }) => confirmPasswordModel(nextOfRefused({}, body, '/profile'), t),
    // The step-up window starts now, kept in the session the redirect saves.
    effects: (confirmedAt, _input, { req }) => {
      req.session.stepUpAt = confirmedAt.getTime();
    },
    redirect: (_confirmedAt, { body }) => body.next,
  }),
];
