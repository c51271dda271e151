import type { RouteSpec } from '../../http/gate.js';
import { form, page } from '../../http/surfaces.js';
import * as profile from './profile.endpoints.js';
import * as tokens from './tokens.endpoints.js';
import { profileModel, tokenOutcomeModel } from './profile.view.js';

const VIEW = 'pages/profile/index';

/** The person's own page: profile, do-not-disturb window, API tokens. */
export const profilePageRoutes: RouteSpec[] = [
  page.get('/profile', profile.ownProfile, { view: VIEW, model: (me, { ctx, t }) => profileModel(ctx, t, me) }),
  page.post('/profile/tokens', tokens.createTokenOnPage, {
    view: VIEW,
    // Either way the answer holds what was typed or the token itself: never kept by a cache.
    headers: { 'Cache-Control': 'no-store' },
    status: (outcome) => (outcome.refused ? 400 : 200),
    model: (outcome, { ctx, t, locale }) => tokenOutcomeModel(ctx, outcome, t, locale),
  }),
  form.post('/profile/tokens/:id/revoke', tokens.revokeToken, { flash: 'tokens.revoked', redirect: '/profile' }),
  form.post('/profile/card', profile.saveCardSettings, {
    view: VIEW,
    model: ({ ctx, t }) => profileModel(ctx, t),
    flash: 'profile.cardSaved',
    redirect: '/profile',
  }),
  form.post('/profile/dnd', profile.saveReminderSettings, {
    view: VIEW,
    model: ({ ctx, t }) => profileModel(ctx, t),
    flash: 'profile.dndSaved',
    redirect: '/profile',
  }),
];
