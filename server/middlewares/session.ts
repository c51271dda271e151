import session from 'express-session';
import type { Request, RequestHandler } from 'express';
import MongoStore from 'connect-mongo';
import { mongoose } from '../db/connect.js';

export const SESSION_COOKIE = 'storelink.sid';
const SESSION_HOURS = 12;

/**
 * Sessions live in MongoDB so that several app processes share them and restarts keep people logged in.
 * Expired sessions are purged by the maintenance job rather than a TTL index, which the stand-in lacks.
 */
export function sessionMiddleware(opts: { secret: string; secureCookies: boolean }) {
  const store = MongoStore.create({
    client: mongoose.connection.getClient(),
    dbName: mongoose.connection.name,
    collectionName: 'sessions',
    autoRemove: 'disabled',
    touchAfter: 60,
  });
  return session({
    name: SESSION_COOKIE,
    secret: opts.secret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    proxy: opts.secureCookies,
    cookie: { httpOnly: true, sameSite: 'lax', secure: opts.secureCookies, maxAge: SESSION_HOURS * 3600 * 1000 },
  });
}

/** The session's content without its cookie, as express-session compares it to decide whether to save. */
function sessionContent(req: Request): string {
  const sess = req.session;
  return JSON.stringify(sess, function (key, value: unknown) {
    return this === sess && key === 'cookie' ? undefined : value;
  });
}

/**
 * express-session writes a response's headers before the store has saved the session, and a browser follows a
 * redirect as soon as it has the headers: the next page could then load the session without what this request
 * put in it (a flash message, a sign-in). A redirect therefore waits for the save.
 */
export const saveSessionBeforeRedirect: RequestHandler = (req, res, next) => {
  if (!req.session) return next();
  const loadedId = req.sessionID;
  const loaded = sessionContent(req);
  const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
  res.redirect = ((...args: unknown[]) => {
    // A session regenerated at sign-in or sign-out is new: saved only when something was put in it.
    const changed = req.session && (req.sessionID === loadedId ? sessionContent(req) !== loaded : sessionContent(req) !== '{}');
    if (!changed) return redirect(...args);
    req.session.save((err) => (err ? next(err) : redirect(...args)));
  }) as typeof res.redirect;
  next();
};
