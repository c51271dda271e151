import type { Request } from 'express';
import type { Agenda } from 'agenda';
import type { z } from 'zod';
import { permissionMatrix, type Action } from '../policies/permissions.js';
import type { ServiceContext } from '../services/context.js';
import type { VisitorContext } from '../services/chat/visitors.js';
import { UnauthenticatedError } from '../errors.js';
import type { Access as GateAccess } from './gate.js';

/**
 * A use case declared once, as data, and served by thin surfaces (api, page, form, csv).
 * `access` is who may reach it, from the one permission matrix; an endpoint without it cannot be built, and a surface
 * mounts nothing that was not built here (fail closed). `input` holds the zod schemas the kit parses into a typed
 * input; `run` makes the one service call.
 */
export type Access = 'public' | 'signedIn' | 'visitor' | { permission: Action };

/**
 * `cookies` and `session` are what this browser holds for the site, for the public pages that know a person by her
 * device rather than by a sign-in (the customer's own page): parsed like the address and the body.
 */
export type InputSchemas = { params?: z.ZodType; query?: z.ZodType; body?: z.ZodType; cookies?: z.ZodType; session?: z.ZodType };
export type InputOf<I extends InputSchemas> = { [K in keyof I]-?: I[K] extends z.ZodType ? z.output<I[K]> : never };
/**
 * A public endpoint may be reached without a signed-in person. A visitor endpoint is the chat customer's (her visitor
 * token, never a staff member's context): it is served on the customer socket only.
 */
export type CtxFor<A extends Access> = [A] extends ['visitor'] ? VisitorContext : A extends 'public' ? ServiceContext | null : ServiceContext;

/**
 * What the transport knows beyond the parsed input, handed to `run` as its third argument: the caller's address (for
 * limits and audit, also when nobody is signed in) and the app's job scheduler (absent in a process that runs none).
 */
export type RequestScope = { ip: string; agenda: Agenda | undefined };
const NO_SCOPE: RequestScope = { ip: 'unknown', agenda: undefined };

const BUILT: unique symbol = Symbol('storelink.endpoint');

export interface Endpoint<I extends InputSchemas = InputSchemas, R = unknown, A extends Access = Access> {
  readonly [BUILT]: true;
  readonly access: A;
  readonly stepUp: boolean;
  readonly input: I;
  readonly run: (ctx: CtxFor<A>, input: InputOf<I>, scope?: RequestScope) => Promise<R>;
}

export type EndpointSpec<A extends Access, I extends InputSchemas, R> = {
  access: A;
  /** A sensitive action: the password must have been confirmed within the organisation's step-up window. */
  stepUp?: boolean;
  input?: I;
  run: (ctx: CtxFor<A>, input: InputOf<I>, scope: RequestScope) => R | Promise<R>;
};

export function endpoint<const A extends Access, I extends InputSchemas = Record<never, never>, R = unknown>(
  spec: EndpointSpec<A, I, R>,
): Endpoint<I, Awaited<R>, A> {
  if (!isAccess(spec?.access)) throw new Error('An endpoint needs its access: public, signedIn or a permission of the matrix');
  if (typeof spec.run !== 'function') throw new Error('An endpoint needs run(ctx, input)');
  const run = spec.run;
  return Object.freeze({
    [BUILT]: true as const,
    access: spec.access,
    stepUp: spec.stepUp === true,
    input: (spec.input ?? {}) as I,
    run: async (ctx: CtxFor<A>, input: InputOf<I>, scope: RequestScope = NO_SCOPE): Promise<Awaited<R>> => await run(ctx, input, scope),
  }) as Endpoint<I, Awaited<R>, A>;
}

function isAccess(access: unknown): access is Access {
  if (access === 'public' || access === 'signedIn' || access === 'visitor') return true;
  const permission = (access as { permission?: unknown } | null | undefined)?.permission;
  return typeof permission === 'string' && Object.hasOwn(permissionMatrix, permission);
}

/** Only what `endpoint()` built gets mounted; a hand-made object (without a checked access) is refused. */
export function isEndpoint(value: unknown): value is Endpoint {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BUILT] === true;
}

/** The same gate `route()` uses (server/http/gate.ts), in its terms. */
export function gateAccess(access: Access): GateAccess {
  // The HTTP gate knows no visitor: such an endpoint mounted on a route would be open to anyone (fail closed).
  if (access === 'visitor') throw new Error('A visitor endpoint is served on the customer socket only');
  if (access === 'public') return { public: true };
  if (access === 'signedIn') return { signedIn: true };
  return { permission: access.permission };
}

export function contextFor<A extends Access>(ep: { access: A }, req: Request): CtxFor<A> {
  if (ep.access === 'public') return (req.ctx ?? null) as CtxFor<A>;
  // The gate has already refused a request without one; this is the second lock.
  if (!req.ctx) throw new UnauthenticatedError('Sign in first.');
  return req.ctx as CtxFor<A>;
}

type Part = keyof InputSchemas;

/** Parses the parts the endpoint declares, in address order; a zod error goes on to the one error handler (400). */
export function parseParts<I extends InputSchemas>(
  ep: Endpoint<I, unknown, Access>,
  req: Request,
  parts: readonly Part[] = ['params', 'cookies', 'session', 'query', 'body'],
): Partial<InputOf<I>> {
  const input: Record<string, unknown> = {};
  for (const part of parts) {
    const schema = ep.input[part];
    if (schema) input[part] = schema.parse(sourceOf(req, part));
  }
  return input as Partial<InputOf<I>>;
}

function sourceOf(req: Request, part: Part): unknown {
  if (part === 'body') return req.body ?? {};
  if (part === 'cookies') return (req.cookies as Record<string, string> | undefined) ?? {};
  if (part === 'session') return req.session ?? {};
  return req[part];
}

export function parseInput<I extends InputSchemas>(ep: Endpoint<I, unknown, Access>, req: Request): InputOf<I> {
  return parseParts(ep, req) as InputOf<I>;
}
