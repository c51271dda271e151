import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { ZodError } from 'zod';
import { mongoose } from '../db/connect.js';
import {
  AppError,
  BadRequestError,
  ConflictError,
  CsrfError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
  ServiceUnavailableError,
  UnsupportedMediaTypeError,
  ValidationError,
  fieldErrorsOf,
} from '../errors.js';
import { BODY_LIMIT_BYTES, FORM_FIELD_LIMIT } from './body-parsers.js';
import { isDatabaseUnreachable, isDuplicateKey } from '../services/mongo-errors.js';
import { i18n } from '../i18n/index.js';
import { databaseUnavailableError } from './time-limit.js';

/** Turns anything thrown into one of our typed errors; unknown errors stay as they are (500). */
export function toAppError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  if (err instanceof ZodError) return new ValidationError(fieldErrorsOf(err));
  if (err instanceof mongoose.Error.CastError) return new NotFoundError('No such record');
  if (err instanceof mongoose.Error.ValidationError) {
    return new ValidationError(Object.fromEntries(Object.entries(err.errors).map(([path, e]) => [path, [e.kind]])));
  }
  if (isDuplicateKey(err)) return new ConflictError('This record already exists.', { code: 'duplicate' });
  // The database is down or unreachable: the client waits and tries again (503), and never sees the driver's words.
  if (isDatabaseUnreachable(err)) return databaseUnavailableError();
  const httpError = err as HttpError;
  if (httpError.code === 'EBADCSRFTOKEN') return new CsrfError('The form expired or did not come from this site. Reload the page and try again.');
  return requestReadError(httpError);
}

type HttpError = { type?: string; code?: string; status?: number; expose?: boolean; charset?: string; encoding?: string; limit?: number };

/**
 * What Express's body parsers and router throw about a request they cannot read (http-errors, told apart by their
 * stable `type`): the sender's to fix, so a 4xx with a code, never a 500 in the error log.
 */
function requestReadError(err: HttpError): AppError | undefined {
  switch (err.type) {
    case 'charset.unsupported':
      return new UnsupportedMediaTypeError('Send JSON and forms in UTF-8.', 'unsupported_charset', { charset: err.charset });
    case 'encoding.unsupported':
      return new UnsupportedMediaTypeError(
        'This content encoding is not supported: send the body uncompressed, or as gzip, deflate or br.',
        'unsupported_encoding',
        { encoding: err.encoding },
      );
    case 'entity.too.large':
      return new PayloadTooLargeError('The request body is too large.', { details: { limitBytes: err.limit ?? BODY_LIMIT_BYTES } });
    case 'parameters.too.many':
      return new PayloadTooLargeError('The form has too many fields.', { details: { parameterLimit: FORM_FIELD_LIMIT } });
    case 'entity.parse.failed':
      return new ValidationError({ _: ['malformed_body'] }, 'The request body is not valid JSON.');
  }
  // A broken %-escape in the address: the router could not decode a parameter.
  if (err instanceof URIError && err.status === 400) return new BadRequestError('The address is not valid.');
  // Any other body the parsers could not read: cut short, or not decompressible.
  if (err.status === 400 && err.expose) return new BadRequestError('The request body could not be read.', 'unreadable_body');
  return undefined;
}

export function wantsJson(req: Request): boolean {
  return req.isApi || req.accepts(['html', 'json']) === 'json';
}

/** The one place where errors become responses: JSON for the API, an error page for browsers. */
export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  // Answered already (by the time limit, while this request still worked): its late error has nowhere to go.
  if (res.writableEnded) {
    req.log?.debug({ err }, 'error after the answer was sent');
    return;
  }
  const appError = toAppError(err);
  const status = appError?.status ?? 500;
  if (!appError) req.log?.error({ err }, 'unhandled error');
  else if (status >= 500) req.log?.error({ err }, appError.code);
  // Part of the answer is out (a CSV download): ending it normally would pass a cut file off as whole, so cut the connection.
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (appError instanceof RateLimitedError) res.setHeader('Retry-After', String(appError.retryAfterSeconds));
  if (appError instanceof ServiceUnavailableError && appError.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(appError.retryAfterSeconds));

  const lng = req.locale ?? 'zh-CN';
  const message = appError ? i18n.t(appError.messageKey, { lng, ...appError.messageParams }) : i18n.t('errors.internal', { lng });
  if (wantsJson(req)) {
    res.status(status).json({
      error: {
        code: appError?.code ?? 'internal',
        message: appError ? appError.message : 'Internal error',
        ...(appError?.extra ?? {}),
        ...(appError?.details ? { details: appError.details } : {}),
      },
    });
    return;
  }
  res.locals.locale = lng;
  res.locals.htmlLang = lng;
  // A page that could not be served for now offers to load it again (a GET only: a form is not re-sent behind the user's back).
  const retryHref = status === 503 && req.method === 'GET' ? req.originalUrl : null;
  const heading = i18n.t([`errors.headings.${status}`, 'errors.headings.other'], { lng });
  res
    .status(status)
    .render('pages/error', { title: heading, status, heading, message, code: appError?.code ?? 'internal', retryHref, backHref: backHrefOf(req) });
};

/**
 * The page the person came from, as a way back: only a page of this site (the Referer's host is this request's), and
 * never the address that just failed (a GET would fail again; a failed form's page is its own referer, and fine).
 */
function backHrefOf(req: Request): string | null {
  const referer = req.get('referer');
  if (!referer) return null;
  try {
    const from = new URL(referer);
    if (from.host !== req.get('host') || (from.protocol !== 'http:' && from.protocol !== 'https:')) return null;
    const path = `${from.pathname}${from.search}`;
    return req.method === 'GET' && path === req.originalUrl ? null : path;
  } catch {
    return null;
  }
}

export const notFoundHandler: RequestHandler = (_req, _res, next) => {
  next(new NotFoundError('No such page'));
};
