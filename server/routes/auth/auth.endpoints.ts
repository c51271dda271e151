import { endpoint } from '../../http/endpoint.js';
import type { SessionEnded } from '../../http/session-sign-in.js';
import { confirmPasswordFormSchema, confirmPasswordPageQuery, loginPageQuery, signInFormSchema } from './auth.schema.js';
import { recordAudit } from '../../services/audit/record-audit.js';
import { recordSignOut } from '../../services/auth/sessions.js';
import { confirmPassword } from '../../services/auth/step-up.js';

/** Signing in and out, and confirming the password before a sensitive action. */

/** Someone already signed in is sent to her home page instead. */
export const loginPage = endpoint({
  access: 'public',
  input: { query: loginPageQuery },
  run: (ctx) => ctx?.actor ?? null,
});

/** Run once passport has signed the person in (server/http/session-sign-in.ts): the sign-in is audited as hers. */
export const signInEndpoint = endpoint({
  access: 'signedIn',
  input: { body: signInFormSchema },
  run: (ctx) => recordAudit(ctx, 'auth.login', { type: 'staff', id: ctx.actor.id }),
});

/** Public: signing out of a session that already ended still clears the cookie. Recorded once the session is gone. */
export const signOutEndpoint = endpoint({
  access: 'public',
  run:
    (ctx): SessionEnded =>
    async (endedSessionId) => {
      if (ctx) await recordSignOut(ctx, endedSessionId);
    },
});

export const confirmPasswordPage = endpoint({
  access: 'signedIn',
  input: { query: confirmPasswordPageQuery },
  run: (_ctx, { query }) => query.next,
});

/** Answers when the password was confirmed; the form keeps it in the session for the step-up window. */
export const confirmPasswordEndpoint = endpoint({
  access: 'signedIn',
  input: { body: confirmPasswordFormSchema },
  run: (ctx, { body }) => confirmPassword(ctx, body.password),
});
