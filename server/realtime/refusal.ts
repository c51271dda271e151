import type { Server } from 'socket.io';
import { toAppError } from '../middlewares/errors.js';
import { timeLimitError } from '../middlewares/time-limit.js';
import { ServiceUnavailableError } from '../errors.js';
import { i18n } from '../i18n/index.js';
import { failureOf, timeLimitOf } from './handler.js';

/** A connection's checks get the events' time limit: a frozen database gets the client an answer, not a wait. */
export function withinTimeLimit<T>(io: Server, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(timeLimitError()), timeLimitOf(io));
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

/**
 * The `connect_error` of a connection refused because its check failed: the database unreachable (or too slow) is
 * `database_unavailable` / `timeout`, for trying again later; one of our own refusals is `refused` (for example
 * `invalid_token`); anything else is `internal` (logged). Only a code and a message in the client's language, never
 * the error's own words (a driver's name addresses and ports).
 */
export function refusal(
  err: unknown,
  locale: string,
  refused: { code: string; messageKey: string } = { code: 'unauthenticated', messageKey: 'errors.unauthenticated' },
): Error {
  const appError = toAppError(err);
  const failure = appError instanceof ServiceUnavailableError || !appError ? failureOf(locale, err) : null;
  const code = failure?.code ?? refused.code;
  const error = new Error(code) as Error & { data?: unknown };
  error.data = failure
    ? { code, message: failure.localizedMessage, ...(failure.details ? { details: failure.details } : {}) }
    : { code, message: i18n.t(refused.messageKey, { lng: locale }) };
  return error;
}
