import type { Server, Socket } from 'socket.io';
import type { z } from 'zod';
import { toAppError } from '../middlewares/errors.js';
import type { ServiceContext } from '../services/context.js';
import { UnauthenticatedError } from '../errors.js';
import { logger } from '../logger.js';
import { i18n } from '../i18n/index.js';
import { runtime } from '../runtime.js';
import { timeLimitError } from '../middlewares/time-limit.js';
import { DEFAULT_REQUEST_TIME_LIMIT_MS } from '../config.js';

type Failure = { code: string; message: string; localizedMessage: string; details?: unknown };
export type Ack<T> = (response: { ok: true; data: T } | { ok: false; error: Failure }) => void;

/**
 * The caller's context as it is now, asked before every event; null when this socket's access has ended or changed
 * since it connected (its rooms were chosen for the old access), and the socket is then disconnected.
 */
export type CurrentContext<C> = () => Promise<C | null>;

// Kept beside the socket rather than in socket.data, which the Socket.IO adapter copies between processes.
const contexts = new WeakMap<Socket, CurrentContext<unknown>>();

/** Each namespace says once per socket, at connection, how the wrapper gets the caller's current context. */
export function setCurrentContext<C>(socket: Socket, current: CurrentContext<C>): void {
  contexts.set(socket, current);
}

const timeLimits = new WeakMap<Server, number>();

/** The server's time limit for one event (the HTTP requests' limit, `REQUEST_TIME_LIMIT_MS`), set once at start. */
export function setTimeLimit(io: Server, ms: number): void {
  timeLimits.set(io, ms);
}

export function timeLimitOf(io: Server): number {
  return timeLimits.get(io) ?? DEFAULT_REQUEST_TIME_LIMIT_MS;
}

/** An error as a client sees it: a stable code, our own words (an unknown error's are hidden and logged), localized. */
export function failureOf(locale: string, err: unknown, event?: string): Failure {
  const appError = toAppError(err);
  if (!appError) logger.error({ err, event }, 'socket handler failed');
  return {
    code: appError?.code ?? 'internal',
    message: appError?.message ?? 'Internal error',
    ...(appError?.details ? { details: appError.details } : {}),
    ...(appError?.extra ?? {}),
    localizedMessage: i18n.t(appError?.messageKey ?? 'errors.internal', { lng: locale, ...(appError?.messageParams ?? {}) }),
  };
}

const localeOf = (socket: Socket) => (socket.data.locale as string | undefined) ?? 'zh-CN';

/**
 * The one wrapper every socket event goes through: the caller's access is checked as it is now, the payload is
 * parsed with zod, one service is called, and the client gets `{ok, data}` or `{ok: false, error}` (events sent
 * without an acknowledgement, such as typing, go through it the same way).
 */
export function defineHandler<S extends z.ZodType, T, C = ServiceContext>(
  socket: Socket,
  event: string,
  schema: S,
  run: (ctx: C, input: z.infer<S>) => Promise<T>,
  opts: {
    /**
     * Events with the same key are handled one after another, in the order they arrived in this process, from the
     * access check to the answer (Socket.IO would otherwise run them side by side and their awaits finish in any order).
     */
    inTurnOf?: (payload: unknown) => string;
    /** Refuses (throws) a caller the event is not for, after the access check and before the payload is parsed. */
    admit?: (ctx: C) => void;
  } = {},
): void {
  socket.on(event, (payload: unknown, ack?: Ack<T>) => {
    // Answered once: by the handler, or by the time limit (counted from arrival, waiting for its turn included) when
    // the work takes longer, as it does while the database is frozen or unreachable.
    let answered = false;
    const answer: Ack<T> = (response) => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      if (typeof ack === 'function') ack(response);
    };
    const timer = setTimeout(() => answer({ ok: false, error: failureOf(localeOf(socket), timeLimitError(), event) }), timeLimitOf(socket.nsp.server));
    // An event already answered by the time limit before its turn came is not run: the client sends it again.
    const handle = () => (answered ? Promise.resolve() : handleEvent(socket, event, schema, run, payload, answer, opts.admit));
    // Events handled in the order they arrived, per key (see `inTurnOf`).
    void (opts.inTurnOf ? runtime().realtime.arrivalOrder(opts.inTurnOf(payload), handle) : handle());
  });
}

async function handleEvent<S extends z.ZodType, T, C>(
  socket: Socket,
  event: string,
  schema: S,
  run: (ctx: C, input: z.infer<S>) => Promise<T>,
  payload: unknown,
  ack?: Ack<T>,
  admit?: (ctx: C) => void,
): Promise<void> {
  const respond: Ack<T> = typeof ack === 'function' ? ack : () => undefined;
  try {
    const current = contexts.get(socket);
    if (!current) throw new Error('socket without context');
    const ctx = (await current()) as C | null;
    if (!ctx) {
      respond({
        ok: false,
        error: failureOf(localeOf(socket), new UnauthenticatedError('Your access changed: connect again.', { messageKey: 'errors.access_changed' }), event),
      });
      // After the answer, which the transport still delivers before it closes.
      socket.disconnect(true);
      return;
    }
    admit?.(ctx);
    respond({ ok: true, data: await run(ctx, schema.parse(payload ?? {}) as z.infer<S>) });
  } catch (err) {
    respond({ ok: false, error: failureOf(localeOf(socket), err, event) });
  }
}
