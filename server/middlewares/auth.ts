import type { Request, RequestHandler } from 'express';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { Strategy as BearerStrategy } from 'passport-http-bearer';
import { authenticateWithPassword } from '../services/auth/authenticate.js';
import { staffForBearerToken } from '../services/auth/api-tokens.js';
import { sessionUserOf, staffForSession, type SessionUser } from '../services/auth/sessions.js';
import { actorOf } from '../services/auth/actor.js';
import { UnauthenticatedError } from '../errors.js';

export function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

export function configurePassport(): typeof passport {
  passport.use(
    new LocalStrategy({ usernameField: 'login', passwordField: 'password', passReqToCallback: true }, (req, login, password, done) => {
      authenticateWithPassword({ login, password, ip: clientIp(req) }).then(
        (staff) => done(null, staff),
        (err: unknown) => done(err),
      );
    }),
  );
  passport.use(
    new BearerStrategy((token, done) => {
      staffForBearerToken(token).then(
        (staff) => done(null, staff ?? false),
        (err: unknown) => done(err),
      );
    }),
  );
  passport.serializeUser((staff, done) => done(null, sessionUserOf(staff as Express.User)));
  passport.deserializeUser((user: SessionUser, done) => {
    staffForSession(user).then(
      (staff) => done(null, staff ?? false),
      (err: unknown) => done(err),
    );
  });
  return passport;
}

/** Sets `req.ctx` from the authenticated staff member: every service call is scoped to this organisation. */
export const tenantContext: RequestHandler = (req, _res, next) => {
  if (req.user) {
    req.ctx = { actor: actorOf(req.user), orgId: String(req.user.orgId), ip: clientIp(req) };
  }
  next();
};

/** API authentication: a bearer token only (no cookies), so the API needs no CSRF token. */
export const bearerAuth: RequestHandler = (req, res, next) => {
  if (!req.headers.authorization) return next();
  passport.authenticate('bearer', { session: false }, (err: unknown, staff: Express.User | false) => {
    if (err) return next(err);
    if (!staff) return next(new UnauthenticatedError('The bearer token is not valid.', { messageKey: 'errors.bad_token' }));
    req.user = staff;
    next();
  })(req, res, next);
};
