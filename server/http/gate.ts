import { tr } from './translate.js';
import type { Request, Response, Router, RequestHandler } from 'express';
import { can, type Action } from '../policies/permissions.js';
import { ForbiddenError, StepUpRequiredError, UnauthenticatedError } from '../errors.js';
import type { ServiceContext } from '../services/context.js';
import { confirmPassword, stepUpWindowMs } from '../services/auth/step-up.js';
import { toAppError } from '../middlewares/errors.js';
import { isDeclaredRoute } from './declared.js';

/**
 * Every route states who may reach it; a route without an access entry cannot be mounted (fail closed).
 * `permission` is the coarse gate from the matrix; services still check the record they touch.
 */
export type Access = { public: true } | { signedIn: true } | { permission: Action };

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export type RouteSpec = {
  method: Method;
  path: string;
  access: Access;
  /** A sensitive action: the password must have been confirmed within the organisation's step-up window. */
  stepUp?: boolean;
  handler: (req: Request, res: Response) => unknown;
};

export function route(spec: RouteSpec): RouteSpec {
  return spec;
}

/** The context of a signed-in request (the gate has already ensured there is one). */
export function ctxOf(req: Request): ServiceContext {
  if (!req.ctx) throw new UnauthenticatedError('Not signed in');
  return req.ctx;
}

const CONFIRM_FIELD = 'confirmPassword';

/**
 * A sensitive action goes ahead when the password was confirmed within the organisation's window, or when the
 * request itself carries `confirmPassword` (API clients always; a page form whose window ran out).
 * A page post that needs confirmation is answered with a password prompt that carries the original fields,
 * so nothing typed into the form is lost; the prompt posts back to the same URL.
 */
async function stepUpSatisfied(req: Request, res: Response, surface: 'page' | 'api'): Promise<boolean> {
  const ctx = ctxOf(req);
  const body = (req.body ?? {}) as Record<string, unknown>;
  const offered = body[CONFIRM_FIELD];
  if (typeof offered === 'string' && offered.length > 0) {
    delete body[CONFIRM_FIELD];
    try {
      const at = await confirmPassword(ctx, offered);
      if (req.session) req.session.stepUpAt = at.getTime();
      return true;
    } catch (err) {
      if (surface === 'api' || req.method === 'GET' || toAppError(err)?.code !== 'invalid_input') throw err;
      renderPrompt(req, res, body, 400, tr(req, 'validation.wrong_password'));
      return false;
    }
  }
  const confirmedAt = surface === 'page' ? (req.session?.stepUpAt ?? 0) : 0;
  if (Date.now() - confirmedAt <= (await stepUpWindowMs(ctx))) return true;
  if (surface === 'page' && req.method === 'GET') {
    res.redirect(303, `/confirm-password?next=${encodeURIComponent(req.originalUrl)}`);
    return false;
  }
  if (surface === 'page') {
    renderPrompt(req, res, body, 403);
    return false;
  }
  throw new StepUpRequiredError('Confirm your password: send it as confirmPassword in the body.');
}

function renderPrompt(req: Request, res: Response, body: Record<string, unknown>, status: number, error?: string): void {
  const carried = Object.entries(body)
    .filter(([name]) => name !== '_csrf' && name !== CONFIRM_FIELD)
    .flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v) => ({ name, value: String(v ?? '') })));
  res.status(status).render('pages/auth/confirm-password', {
    title: tr(req, 'stepUp.title'),
    action: req.originalUrl,
    fieldName: CONFIRM_FIELD,
    carried,
    errors: error ? { [CONFIRM_FIELD]: error } : undefined,
  });
}

function gate(spec: RouteSpec, surface: 'page' | 'api'): RequestHandler {
  return async (req, res, next) => {
    if ('public' in spec.access) return next();
    if (!req.ctx) {
      if (surface === 'page' && req.method === 'GET') {
        return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
      }
      return next(new UnauthenticatedError('Sign in first.'));
    }
    if ('permission' in spec.access && !can(req.ctx.actor, spec.access.permission)) {
      return next(new ForbiddenError(`Not allowed: ${spec.access.permission}`));
    }
    if (spec.stepUp && !(await stepUpSatisfied(req, res, surface))) return;
    next();
  };
}

/**
 * Express 5 leaves `req.body` undefined when no parser ran (no body, or a type we do not parse): every route reads
 * an empty form instead, so a missing body is refused as bad input by its schema, never a crash on `req.body.x`.
 */
const emptyBodyWhenNone: RequestHandler = (req, _res, next) => {
  req.body ??= {};
  next();
};

export function mount(router: Router, surface: 'page' | 'api', specs: RouteSpec[]): Router {
  for (const spec of specs) {
    if (!spec.access) throw new Error(`Route ${spec.method.toUpperCase()} ${spec.path} has no access entry`);
    if (!isDeclaredRoute(spec))
      throw new Error(`Route ${spec.method.toUpperCase()} ${spec.path} is not built over a declared endpoint: mount it with a surface (api, page, form …)`);
    router[spec.method](spec.path, emptyBodyWhenNone, gate(spec, surface), async (req, res) => {
      await spec.handler(req, res);
    });
  }
  return router;
}
