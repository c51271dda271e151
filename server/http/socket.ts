import type { Socket } from 'socket.io';
import type { z } from 'zod';
import { defineHandler } from '../realtime/handler.js';
import { isEndpoint, type Access, type CtxFor, type Endpoint, type InputOf, type InputSchemas } from './endpoint.js';
import { can } from '../policies/permissions.js';
import { ForbiddenError } from '../errors.js';
import { i18n } from '../i18n/index.js';

/**
 * The socket surface over a declared endpoint, one line per event, built on the one wrapper `defineHandler` (the
 * caller's current context, the time limit, in-turn ordering, the ack `{ok, data}` / `{ok: false, error}`). The payload
 * is the endpoint's `body`; the endpoint's access is checked as the HTTP gate checks it (a permission of the matrix,
 * from the socket's current context: `forbidden`, as the API answers) before the payload is parsed. Staff events go
 * on the staff socket and visitor events on the customer socket, never the other way round (fail closed).
 */

/** What a presenter or a socket-side step may use besides the result. */
export type SocketView<I extends InputSchemas, A extends Access> = {
  ctx: CtxFor<A>;
  input: InputOf<I>;
  socket: Socket;
  locale: string;
  t: (key: string, params?: Record<string, unknown>) => string;
};

export type SocketOptions<I extends InputSchemas, R, A extends Access> = {
  /** Result -> ack data; without it the result is the data. */
  present?: (result: R, view: SocketView<I, A>) => unknown;
  /** Waited for before the service call (after the access check and the parsing). */
  before?: () => Promise<unknown>;
  /** The socket's own part once the service answered: the rooms it joins or leaves, a signal relayed to the other side. */
  after?: (result: R, view: SocketView<I, A>) => unknown;
  /** Events with the same key are handled one after another, in arrival order (see `defineHandler`). */
  inTurnOf?: (payload: unknown) => string;
};

type Side = 'staff' | 'visitor';

function refuseUndeclared(side: Side, event: string, ep: unknown): asserts ep is Endpoint {
  if (!isEndpoint(ep)) throw new Error(`Socket event ${event} is not a declared endpoint: declare it with endpoint({ access, … })`);
  if ((ep.access === 'visitor') !== (side === 'visitor'))
    throw new Error(`Socket event ${event}: a ${ep.access === 'visitor' ? 'visitor' : 'staff'} endpoint cannot be served on the ${side} socket`);
  if (ep.input.params || ep.input.query) throw new Error(`Socket event ${event}: a socket payload is the endpoint's body only`);
  if (!ep.input.body) throw new Error(`Socket event ${event}: the endpoint declares no body schema for its payload`);
}

/** The HTTP gate's check (server/http/gate.ts), on the socket's current context. */
function admitter(access: Access) {
  return (ctx: unknown) => {
    if (typeof access !== 'object') return;
    const actor = (ctx as { actor?: Parameters<typeof can>[0] } | null)?.actor;
    if (!actor || !can(actor, access.permission)) throw new ForbiddenError(`Not allowed: ${access.permission}`);
  };
}

function mountEvent<I extends InputSchemas, R, A extends Access>(
  side: Side,
  socket: Socket,
  event: string,
  ep: Endpoint<I, R, A>,
  opts: SocketOptions<I, R, A>,
): void {
  refuseUndeclared(side, event, ep);
  const schema = ep.input.body as z.ZodType;
  const locale = () => (socket.data.locale as string | undefined) ?? 'zh-CN';
  defineHandler<z.ZodType, unknown, CtxFor<A>>(
    socket,
    event,
    schema,
    async (ctx, body) => {
      const input = { body } as InputOf<I>;
      await opts.before?.();
      const result = await ep.run(ctx, input);
      const view: SocketView<I, A> = { ctx, input, socket, locale: locale(), t: (key, params) => i18n.t(key, { lng: locale(), ...params }) };
      await opts.after?.(result, view);
      return opts.present ? await opts.present(result, view) : result;
    },
    { admit: admitter(ep.access), ...(opts.inTurnOf ? { inTurnOf: opts.inTurnOf } : {}) },
  );
}

/** A staff event (the default namespace): the endpoint's access is public, signedIn or a permission of the matrix. */
export function socketEvent<I extends InputSchemas, R, A extends Exclude<Access, 'visitor'>>(
  socket: Socket,
  event: string,
  ep: Endpoint<I, R, A>,
  opts: SocketOptions<I, R, A> = {},
): void {
  mountEvent('staff', socket, event, ep, opts);
}

/** A chat customer's event (the `/customer` namespace): only an endpoint declared with access 'visitor'. */
export function visitorEvent<I extends InputSchemas, R>(
  socket: Socket,
  event: string,
  ep: Endpoint<I, R, 'visitor'>,
  opts: SocketOptions<I, R, 'visitor'> = {},
): void {
  mountEvent('visitor', socket, event, ep, opts);
}
