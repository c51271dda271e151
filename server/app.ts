import path from 'node:path';
import crypto from 'node:crypto';
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import cookieParser from 'cookie-parser';
import { pinoHttp } from 'pino-http';
import { handle as i18nHandle } from 'i18next-http-middleware';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { rootDir, publicDir } from './paths.js';
import { i18n, initI18n, resolveLocale } from './i18n/index.js';
import { configureViews } from './views.js';
import { saveSessionBeforeRedirect, sessionMiddleware } from './middlewares/session.js';
import { createCsrf } from './middlewares/csrf.js';
import { bearerAuth, configurePassport, tenantContext } from './middlewares/auth.js';
import { errorHandler, notFoundHandler } from './middlewares/errors.js';
import { timeLimit } from './middlewares/time-limit.js';
import { bodyParsers } from './middlewares/body-parsers.js';
import { pageLocals } from './middlewares/page-locals.js';
import { healthRouter } from './http/health.js';
import type { Agenda } from 'agenda';
import { configureSignedTokens } from './services/auth/signed-tokens.js';
import { apiRouter } from './routes/api/index.js';
import { pagesRouter } from './routes/pages/index.js';
import './middlewares/types.js';
import { installDomainReactions } from './services/reactions.js';

/** Builds the Express app without listening, so tests drive it over HTTP with supertest. */
export type AppBundle = { app: Express; session: RequestHandler };

export async function createApp(config: Config, log: Logger, opts: { agenda?: Agenda } = {}): Promise<AppBundle> {
  await initI18n();
  installDomainReactions();
  const app = express();
  const secureCookies = config.trustProxy;
  if (config.trustProxy) app.set('trust proxy', 1);
  app.disable('x-powered-by');
  // The jobs page reads the one Agenda instance; processes without a scheduler say so on that page.
  if (opts.agenda) app.locals.agenda = opts.agenda;
  app.locals.appUrl = config.appUrl;
  configureViews(app);

  app.use(
    pinoHttp({
      logger: log,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && /^[\w.-]{1,64}$/.test(incoming) ? incoming : crypto.randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
      // A developer's terminal shows requests that went wrong; every request is there at LOG_LEVEL=debug.
      customLogLevel: (_req, res, err) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : config.env === 'development' ? 'debug' : 'info',
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url.replace(/([?&](token|password|_csrf)=)[^&]*/gi, '$1[redacted]'),
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          'script-src': ["'self'"],
          'style-src': ["'self'"],
          'img-src': ["'self'", 'data:'],
          'connect-src': ["'self'"],
          'form-action': ["'self'"],
          'upgrade-insecure-requests': secureCookies ? [] : null,
        },
      },
      strictTransportSecurity: secureCookies,
    }),
  );

  // No request waits longer than the time limit (a frozen or unreachable database): 503 with Retry-After instead.
  app.use(timeLimit({ ms: config.requestTimeLimitMs, answer: (err, req, res) => errorHandler(err, req, res, () => undefined) }));
  app.use(healthRouter());
  app.use('/vendor/bootstrap', express.static(path.join(rootDir, 'node_modules', 'bootstrap', 'dist'), { maxAge: '7d' }));
  app.use('/vendor/socket.io', express.static(path.join(rootDir, 'node_modules', 'socket.io', 'client-dist'), { maxAge: '7d' }));
  app.use('/static', express.static(publicDir, { maxAge: config.env === 'production' ? '1d' : 0 }));

  app.use(cookieParser());
  app.use(i18nHandle(i18n));
  app.use((req, _res, next) => {
    req.locale = resolveLocale(req.language);
    req.isApi = req.path.startsWith('/api/');
    next();
  });
  app.use(bodyParsers());

  const passport = configurePassport();
  app.use('/api/v1', passport.initialize(), bearerAuth, tenantContext, apiRouter());

  configureSignedTokens(config.sessionSecret);
  const csrf = createCsrf({ secret: config.sessionSecret, secureCookies });
  const session = sessionMiddleware({ secret: config.sessionSecret, secureCookies });
  app.use(session, saveSessionBeforeRedirect);
  app.use(passport.initialize(), passport.session(), tenantContext);
  app.use(csrf.protect, csrf.exposeToken, pageLocals);
  app.use(pagesRouter());

  app.use(notFoundHandler);
  app.use(errorHandler);
  return { app, session };
}
