import type { Request, RequestHandler } from 'express';
import { doubleCsrf } from 'csrf-csrf';

/** CSRF on every state-changing form: a signed double-submit token bound to the session. */
export function createCsrf(opts: { secret: string; secureCookies: boolean }) {
  const { doubleCsrfProtection, generateCsrfToken } = doubleCsrf({
    getSecret: () => opts.secret,
    getSessionIdentifier: (req: Request) => req.session?.id ?? '',
    cookieName: opts.secureCookies ? '__Host-storelink.csrf' : 'storelink.csrf',
    cookieOptions: { sameSite: 'lax', secure: opts.secureCookies, httpOnly: true, path: '/' },
    // File uploads are multipart, which is parsed after this check: their forms carry the token in the action URL.
    getCsrfTokenFromRequest: (req: Request) =>
      (req.body as { _csrf?: string } | undefined)?._csrf ??
      req.headers['x-csrf-token'] ??
      (req.is('multipart/form-data') ? (req.query._csrf as string | undefined) : undefined),
  });

  /** Puts a token into every page; marks the session so its id (which the token is bound to) stays stable. */
  const exposeToken: RequestHandler = (req, res, next) => {
    // An anonymous session is only saved once modified; the login form's token needs it to persist.
    if (req.session && !req.session.csrfBound) req.session.csrfBound = true;
    res.locals.csrfToken = generateCsrfToken(req, res);
    next();
  };

  return { protect: doubleCsrfProtection, exposeToken };
}
