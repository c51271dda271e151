import passport from 'passport';
import type { NextFunction, Request, Response } from 'express';
import { route, type RouteSpec } from './gate.js';
import { markDeclared } from './declared.js';
import { contextFor, isEndpoint, parseParts, type Endpoint, type InputOf, type InputSchemas } from './endpoint.js';
import { declared } from './surfaces.js';
import { fieldMessages, valuesShownAgain } from './forms.js';
import { tr } from './translate.js';
import { toAppError, wantsJson } from '../middlewares/errors.js';
import { clientIp } from '../middlewares/auth.js';
import { SESSION_COOKIE } from '../middlewares/session.js';
import { actorOf } from '../services/auth/actor.js';
import { RateLimitedError, UnauthenticatedError } from '../errors.js';
import type { ServiceContext } from '../services/context.js';

/**
 * Signing in to and out of a browser session: the two routes the endpoint kit cannot build, because they need the
 * request itself, which the kit never hands to a run. Passport's local strategy reads it (its throttling counts by
 * address); req.login regenerates the session id, so a planted session cannot be reused; signing out destroys the
 * session before anything is recorded. Their endpoints still declare the input and the use case.
 */

type T = (key: string, params?: Record<string, unknown>) => string;

/** Passport's local strategy, awaited, so the form can be shown again on a refusal. */
function passportSignIn(req: Request, res: Response): Promise<Express.User> {
  return new Promise((resolve, reject) => {
    passport.authenticate('local', (err: unknown, staff: Express.User | false) => {
      if (err) return reject(err);
      if (!staff) return reject(new UnauthenticatedError('Wrong login or password.', { messageKey: 'errors.bad_credentials' }));
      // req.login regenerates the session id (passport >= 0.6), so a planted session cannot be reused.
      req.login(staff, (loginErr) => (loginErr ? reject(loginErr) : resolve(staff)));
    })(req, res, ((err: unknown) => reject(err)) as NextFunction);
  });
}

export type SignInOptions<I extends InputSchemas, R> = {
  view: string;
  /** The form shown again after a refusal (what was typed, less the secrets, and the messages are added). */
  model: (again: { query: Record<string, unknown>; body: Record<string, unknown>; t: T }) => Record<string, unknown>;
  secretFields: string[];
  redirect: (result: R, signedIn: { ctx: ServiceContext; input: InputOf<I> }) => string;
};

export const signIn = {
  /**
   * The route is public (it is where one signs in); the endpoint is `signedIn`, since its run (the audit) is made as
   * the person passport has just signed in. The form is checked before passport sees it; a refusal (bad fields, a
   * wrong password, too many attempts) shows the form again, or is the error handler's JSON for a client that asked.
   */
  post: <I extends InputSchemas, R>(path: string, ep: Endpoint<I, R, 'signedIn'>, opts: SignInOptions<I, R>): RouteSpec => {
    if (!isEndpoint(ep) || ep.access !== 'signedIn') throw new Error(`POST ${path}: sign-in runs a signedIn endpoint, declared with endpoint()`);
    return markDeclared(
      route({
        method: 'post',
        path,
        access: { public: true },
        handler: async (req, res) => {
          const body = (req.body ?? {}) as Record<string, unknown>;
          const showAgain = (err: unknown, withFieldMessages: boolean) => {
            const appError = toAppError(err)!;
            // A client that asked for JSON gets the error handler's JSON, not the page.
            if (wantsJson(req)) throw appError;
            if (appError instanceof RateLimitedError) res.setHeader('Retry-After', String(appError.retryAfterSeconds));
            const t: T = (key, params) => tr(req, key, params);
            res.status(appError.status).render(opts.view, {
              ...opts.model({ query: req.query as Record<string, unknown>, body, t }),
              values: valuesShownAgain(body, { secretFields: opts.secretFields }),
              ...(withFieldMessages ? { errors: fieldMessages((appError.details?.fields ?? {}) as Record<string, string[]>, req.locale) } : {}),
              formError: tr(req, appError.messageKey, withFieldMessages ? undefined : appError.messageParams),
            });
          };
          let input: InputOf<I>;
          try {
            input = parseParts(ep as Endpoint<I>, req) as InputOf<I>;
          } catch (err) {
            return showAgain(err, true);
          }
          let staff: Express.User;
          try {
            staff = await passportSignIn(req, res);
          } catch (err) {
            const appError = toAppError(err);
            if (!(appError instanceof UnauthenticatedError) && !(appError instanceof RateLimitedError)) throw err;
            return showAgain(appError, false);
          }
          const actor = actorOf(staff);
          const ctx: ServiceContext = { actor, orgId: actor.orgId, ip: clientIp(req) };
          const result = await ep.run(ctx, input);
          res.redirect(303, opts.redirect(result, { ctx, input }));
        },
      }),
    );
  },
};

/** What signing out records, given the id of the session just ended (its sockets are told by it). */
export type SessionEnded = (endedSessionId: string) => Promise<unknown>;

export const signOut = {
  /** Passport's logout, the session destroyed, then what the endpoint gave is run: a socket reconnecting meanwhile finds no session. */
  post: (path: string, ep: Endpoint<Record<never, never>, SessionEnded, 'public'>, opts: { redirect: string }): RouteSpec =>
    declared('post', path, ep, async (req, res) => {
      const ended = await ep.run(contextFor(ep, req), {});
      const sessionId = req.sessionID;
      await new Promise<void>((resolve, reject) => req.logout((err) => (err ? reject(err) : resolve())));
      await new Promise<void>((resolve, reject) => req.session.destroy((err: unknown) => (err ? reject(err as Error) : resolve())));
      await ended(sessionId);
      res.clearCookie(SESSION_COOKIE);
      res.redirect(303, opts.redirect);
    }),
};
