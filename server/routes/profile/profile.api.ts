import type { RouteSpec } from '../../http/gate.js';
import { api } from '../../http/surfaces.js';
import { presentToken } from '../../presenters/token.js';
import * as profile from './profile.endpoints.js';
import * as tokens from './tokens.endpoints.js';
import { mePayload } from './profile.view.js';

/** /api/v1/tokens and /api/v1/me. */
export const profileApiRoutes: RouteSpec[] = [
  api.post('/tokens', tokens.createTokenWithPassword, { status: 201, present: ({ token, id }) => ({ token, id }) }),
  api.get('/tokens', tokens.listTokens, { present: (list) => ({ items: list.map(presentToken) }) }),
  api.delete('/tokens/:id', tokens.revokeToken, { status: 204 }),
  api.get('/me', profile.ownProfile, { present: (me, { ctx }) => mePayload(me, ctx) }),
  api.patch('/me', profile.saveCardSettings, { present: (me, { ctx }) => mePayload(me, ctx) }),
];
