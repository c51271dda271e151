import { tr } from '../translate.js';
import passport from 'passport';
import type { Request, Response, NextFunction } from 'express';
import { route, ctxOf, type RouteSpec } from '../define.js';
import { confirmPasswordSchema, loginSchema, safeNext } from '../schemas/auth.schema.js';
import { handleForm } from '../forms.js';
import { homePathFor } from '../../presenters/staff.js';
import { actorOf } from '../../services/auth/actor.js';
import { recordAudit } from '../../services/audit/record-audit.js';
import { recordSignOut } from '../../services/auth/sessions.js';
import { confirmPassword } from '../../services/auth/step-up.js';
import { toAppError, wantsJson } from '../../middlewares/errors.js';
import { RateLimitedError, UnauthenticatedError, ValidationError } from '../../errors.js';
import { fieldMessages } from '../forms.js';
import { clientIp } from '../../middlewares/auth.js';
import { SESSION_COOKIE } from '../../middlewares/session.js';

function renderLogin(req: Request, res: Response, status: number, extra: Record<string, unknown> = {}) {
  res.status(status).render('pages/auth/login', {
    title: tr(req, 'login.title'),
    layout: 'bare',
    next: safeNext(req.query.next ?? (req.body as { next?: unknown } | undefined)?.next, ''),
    ...extra,
  });
}

/** Passport's local strategy, awaited, so the route can show the form again on failure. */
function passportLogin(req: Request, res: Response): Promise<Express.User> {
  return new Promise((resolve, reject) => {
    passport.authenticate('local', (err: unknown, staff: Express.User | false) => {
      if (err) return reject(err);
      if (!staff) return reject(new UnauthenticatedError('Wrong login or password.', { messageKey: 'errors.bad_credentials' }));
      // req.login regenerates the session id (passport >= 0.6), so a planted session cannot be reused.
      req.login(staff, (loginErr) => (loginErr ? reject(loginErr) : resolve(staff)));
    })(req, res, ((err: unknown) => reject(err)) as NextFunction);
  });
}

export const authRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/login',
    access: { public: true },
    handler: (req, res) => {
      if (req.ctx) return res.redirect(303, homePathFor(req.ctx.actor));
      renderLogin(req, res, 200, { values: {} });
    },
  }),
  route({
    method: 'post',
    path: '/login',
    access: { public: true },
    handler: async (req, res) => {
      const body = req.body as { login?: unknown; next?: unknown };
      const values = { login: body.login };
      const parsed = loginSchema.safeParse(body);
      if (!parsed.success) {
        const appError = toAppError(parsed.error) as ValidationError;
        // A client that asked for JSON gets the error handler's JSON, not the page.
        if (wantsJson(req)) throw appError;
        return renderLogin(req, res, 400, { values, errors: fieldMessages(appError.fields, req.locale), formError: tr(req, appError.messageKey) });
      }
      try {
        const staff = await passportLogin(req, res);
        const actor = actorOf(staff);
        await recordAudit({ actor, orgId: actor.orgId, ip: clientIp(req) }, 'auth.login', { type: 'staff', id: actor.id });
        res.redirect(303, safeNext(body.next, homePathFor(actor)));
      } catch (err) {
        const appError = toAppError(err);
        if (!(appError instanceof UnauthenticatedError) && !(appError instanceof RateLimitedError)) throw err;
        if (wantsJson(req)) throw appError;
        if (appError instanceof RateLimitedError) res.setHeader('Retry-After', String(appError.retryAfterSeconds));
        renderLogin(req, res, appError.status, { values, formError: tr(req, appError.messageKey, appError.messageParams) });
      }
    },
  }),
  route({
    method: 'post',
    path: '/logout',
    access: { public: true },
    handler: async (req, res) => {
      const ctx = req.ctx;
      const sessionId = req.sessionID;
      await new Promise<void>((resolve, reject) => req.logout((err) => (err ? reject(err) : resolve())));
      await new Promise<void>((resolve, reject) => req.session.destroy((err: unknown) => (err ? reject(err as Error) : resolve())));
      // Only once the session is gone: its sockets end, and one reconnecting meanwhile finds no session.
      if (ctx) await recordSignOut(ctx, sessionId);
      res.clearCookie(SESSION_COOKIE);
      res.redirect(303, '/login');
    },
  }),
  route({
    method: 'get',
    path: '/confirm-password',
    access: { signedIn: true },
    handler: (req, res) => {
      res.render('pages/auth/confirm-password', { title: tr(req, 'stepUp.title'), next: safeNext(req.query.next, '/profile'), values: {} });
    },
  }),
  route({
    method: 'post',
    path: '/confirm-password',
    access: { signedIn: true },
    handler: async (req, res) => {
      const next = safeNext((req.body as { next?: unknown }).next, '/profile');
      await handleForm(req, res, {
        schema: confirmPasswordSchema,
        view: 'pages/auth/confirm-password',
        secretFields: ['password'],
        model: () => ({ title: tr(req, 'stepUp.title'), next }),
        onValid: async (input) => {
          const at = await confirmPassword(ctxOf(req), input.password);
          req.session.stepUpAt = at.getTime();
          return next;
        },
      });
    },
  }),
];
