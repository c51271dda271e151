import type { Socket } from 'socket.io';
import type { z } from 'zod';
import { toAppError } from '../middlewares/errors.js';
import type { ServiceContext } from '../services/context.js';
import { logger } from '../logger.js';
import { i18n } from '../i18n/index.js';

export type Ack<T> = (response: { ok: true; data: T } | { ok: false; error: { code: string; message: string; localizedMessage: string; details?: unknown } }) => void;

/**
 * The one wrapper every socket event goes through: the socket is already authenticated,
 * the payload is parsed with zod, one service is called, and the client gets `{ok, data}` or `{ok: false, error}`.
 */
export function defineHandler<S extends z.ZodType, T, C = ServiceContext>(
  socket: Socket,
  event: string,
  schema: S,
  run: (ctx: C, input: z.infer<S>) => Promise<T>,
): void {
  socket.on(event, async (payload: unknown, ack?: Ack<T>) => {
    const respond: Ack<T> = typeof ack === 'function' ? ack : () => undefined;
    try {
      const ctx = socket.data.ctx as C | undefined;
      if (!ctx) throw new Error('socket without context');
      const data = await run(ctx, schema.parse(payload ?? {}) as z.infer<S>);
      respond({ ok: true, data });
    } catch (err) {
      const appError = toAppError(err);
      if (!appError) logger.error({ err, event }, 'socket handler failed');
      respond({ ok: false, error: { code: appError?.code ?? 'internal', message: appError?.message ?? 'Internal error', ...(appError?.details ? { details: appError.details } : {}), ...(appError?.extra ?? {}), localizedMessage: i18n.t(appError?.messageKey ?? 'errors.internal', { lng: (socket.data.locale as string | undefined) ?? 'zh-CN', ...(appError?.messageParams ?? {}) }) } });
    }
  });
}
