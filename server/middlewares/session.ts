import session from 'express-session';
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
