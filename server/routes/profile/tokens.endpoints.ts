import { endpoint } from '../../http/endpoint.js';
import { createTokenSchema, tokenNameFormSchema, tokenParams } from './tokens.schema.js';
import { createApiToken, createApiTokenWithPassword, listOwnApiTokens, revokeApiToken } from '../../services/auth/api-tokens.js';

/** The person's own API tokens: made with a password over the API, or from the profile page. */

const own = { permission: 'token.manage_own' } as const;

/** Public: the password in the body is the sign-in; the address counts toward the login limits. */
export const createTokenWithPassword = endpoint({
  access: 'public',
  input: { body: createTokenSchema },
  run: (_ctx, { body }, { ip }) => createApiTokenWithPassword({ ...body, ip }),
});

/** The token is in the answer once, never stored in plain text or put in a redirect: so a page, not a form's redirect. */
export const createTokenOnPage = endpoint({
  access: own,
  input: { body: tokenNameFormSchema },
  run: async (ctx, { body }) => ({ name: body.name, refused: body.refused, created: body.refused ? null : await createApiToken(ctx, { name: body.name }) }),
});

export const listTokens = endpoint({ access: own, run: (ctx) => listOwnApiTokens(ctx) });

export const revokeToken = endpoint({
  access: own,
  input: { params: tokenParams },
  run: (ctx, { params }) => revokeApiToken(ctx, params.id),
});
