import type { ZodError } from 'zod';

/** Every error the app throws on purpose: an HTTP status, a stable code, and a message key for the locale files. */
export type ErrorDetails = Record<string, unknown>;

export abstract class AppError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  /** i18n key of the user-facing message; the English `message` is for logs and API clients. */
  readonly messageKey: string;
  readonly details: ErrorDetails | undefined;
  readonly messageParams: Record<string, unknown>;
  /** Fields an API client reads next to `code` (for example `existingId` of a duplicate). */
  readonly extra: Record<string, unknown>;

  constructor(message: string, opts: { messageKey?: string; details?: ErrorDetails; params?: Record<string, unknown>; extra?: Record<string, unknown> } = {}) {
    super(message);
    this.name = new.target.name;
    this.messageKey = opts.messageKey ?? `errors.${this.defaultKey()}`;
    this.details = opts.details;
    this.messageParams = opts.params ?? {};
    this.extra = opts.extra ?? {};
  }

  protected abstract defaultKey(): string;
}

export type FieldErrors = Record<string, string[]>;

/** zod issues as field -> reason codes (a schema's own message when it is a code, else zod's issue code). */
export function fieldErrorsOf(err: ZodError): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of err.issues) {
    const key = issue.path.length ? issue.path.join('.') : '_';
    const code = issue.message && /^[a-z_]+$/.test(issue.message) ? issue.message : issue.code;
    (fields[key] ??= []).push(code);
  }
  return fields;
}

export class ValidationError extends AppError {
  readonly status = 400;
  readonly code = 'invalid_input';
  readonly fields: FieldErrors;
  constructor(fields: FieldErrors, message = 'The input is not valid.') {
    super(message, { details: { fields } });
    this.fields = fields;
  }
  protected defaultKey() {
    return 'invalid_input';
  }
}

export class UnauthenticatedError extends AppError {
  readonly status = 401;
  readonly code = 'unauthenticated';
  protected defaultKey() {
    return 'unauthenticated';
  }
}

export class ForbiddenError extends AppError {
  readonly status = 403;
  readonly code = 'forbidden';
  protected defaultKey() {
    return 'forbidden';
  }
}

export class NotFoundError extends AppError {
  readonly status = 404;
  readonly code = 'not_found';
  protected defaultKey() {
    return 'not_found';
  }
}

export class ConflictError extends AppError {
  readonly status = 409;
  readonly code: string;
  constructor(
    message: string,
    opts: { code?: string; messageKey?: string; details?: ErrorDetails; params?: Record<string, unknown>; extra?: Record<string, unknown> } = {},
  ) {
    super(message, opts);
    this.code = opts.code ?? 'conflict';
  }
  protected defaultKey() {
    return 'conflict';
  }
}

export class PayloadTooLargeError extends AppError {
  readonly status = 413;
  readonly code = 'payload_too_large';
  protected defaultKey() {
    return 'payload_too_large';
  }
}

/** A body in a charset or content encoding the server does not read (JSON and forms are UTF-8): the sender's to fix. */
export class UnsupportedMediaTypeError extends AppError {
  readonly status = 415;
  readonly code: 'unsupported_charset' | 'unsupported_encoding';
  constructor(message: string, code: 'unsupported_charset' | 'unsupported_encoding', details: ErrorDetails) {
    super(message, { messageKey: `errors.${code}`, details });
    this.code = code;
  }
  protected defaultKey() {
    return 'unsupported_charset';
  }
}

/** A request that cannot be read as sent: a body cut short or not decodable, a broken escape in the address. */
export class BadRequestError extends AppError {
  readonly status = 400;
  readonly code: 'bad_request' | 'unreadable_body';
  constructor(message: string, code: 'bad_request' | 'unreadable_body' = 'bad_request') {
    super(message, { messageKey: `errors.${code}` });
    this.code = code;
  }
  protected defaultKey() {
    return 'bad_request';
  }
}

export class RateLimitedError extends AppError {
  readonly status = 429;
  readonly code: string;
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number, opts: { code?: string; messageKey?: string; params?: Record<string, unknown> } = {}) {
    super(message, {
      messageKey: opts.messageKey,
      details: { retryAfterSeconds, ...(opts.params ?? {}) },
      params: { seconds: retryAfterSeconds, minutes: Math.ceil(retryAfterSeconds / 60), ...(opts.params ?? {}) },
    });
    this.code = opts.code ?? 'rate_limited';
    this.retryAfterSeconds = retryAfterSeconds;
  }
  protected defaultKey() {
    return 'rate_limited';
  }
}

/** A sensitive action needs the password entered again (the step-up confirmation). */
export class StepUpRequiredError extends AppError {
  readonly status = 403;
  readonly code = 'step_up_required';
  protected defaultKey() {
    return 'step_up_required';
  }
}

export class CsrfError extends AppError {
  readonly status = 403;
  readonly code = 'csrf_invalid';
  protected defaultKey() {
    return 'csrf_invalid';
  }
}

/**
 * The service cannot answer now, through nobody's fault on the client's side: `unavailable` (a part of this process
 * is not running), `database_unavailable` (the database cannot be reached), `timeout` (no answer within the request
 * time limit). With `retryAfterSeconds` the answer carries `Retry-After`.
 */
export class ServiceUnavailableError extends AppError {
  readonly status = 503;
  readonly code: 'unavailable' | 'database_unavailable' | 'timeout';
  readonly retryAfterSeconds: number | undefined;
  constructor(message: string, opts: { code?: 'unavailable' | 'database_unavailable' | 'timeout'; retryAfterSeconds?: number } = {}) {
    const code = opts.code ?? 'unavailable';
    super(message, {
      messageKey: `errors.${code}`,
      ...(opts.retryAfterSeconds !== undefined ? { details: { retryAfterSeconds: opts.retryAfterSeconds } } : {}),
    });
    this.code = code;
    this.retryAfterSeconds = opts.retryAfterSeconds;
  }
  protected defaultKey() {
    return 'unavailable';
  }
}
