import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { ZodError } from 'zod';
import { mongoose } from '../db/connect.js';
import {
  AppError,
  ConflictError,
  CsrfError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
  ValidationError,
  fieldErrorsOf,
} from '../errors.js';
import { isDuplicateKey } from '../services/mongo-errors.js';
import { i18n } from '../i18n/index.js';

/** Turns anything thrown into one of our typed errors; unknown errors stay as they are (500). */
export function toAppError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  if (err instanceof ZodError) return new ValidationError(fieldErrorsOf(err));
  if (err instanceof mongoose.Error.CastError) return new NotFoundError('No such record');
  if (err instanceof mongoose.Error.ValidationError) {
    return new ValidationError(Object.fromEntries(Object.entries(err.errors).map(([path, e]) => [path, [e.kind]])));
  }
  if (isDuplicateKey(err)) return new ConflictError('This record already exists.', { code: 'duplicate' });
  const httpError = err as { type?: string; code?: string; status?: number };
  if (httpError.type === 'entity.too.large') return new PayloadTooLargeError('The request body is too large.');
  if (httpError.type === 'entity.parse.failed') return new ValidationError({ _: ['malformed_body'] }, 'The request body is not valid JSON.');
  if (httpError.code === 'EBADCSRFTOKEN') return new CsrfError('The form expired or did not come from this site. Reload the page and try again.');
  return undefined;
}

export function wantsJson(req: Request): boolean {
  return req.isApi || req.accepts(['html', 'json']) === 'json';
}

/** The one place where errors become responses: JSON for the API, an error page for browsers. */
export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const appError = toAppError(err);
  const status = appError?.status ?? 500;
  if (!appError) req.log?.error({ err }, 'unhandled error');
  else if (status >= 500) req.log?.error({ err }, appError.code);
  if (appError instanceof RateLimitedError) res.setHeader('Retry-After', String(appError.retryAfterSeconds));
  if (res.headersSent) return;

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
  res.status(status).render('pages/error', { title: message, status, message, code: appError?.code ?? 'internal' });
};

export const notFoundHandler: RequestHandler = (_req, _res, next) => {
  next(new NotFoundError('No such page'));
};
