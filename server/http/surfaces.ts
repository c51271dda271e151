import type { Request, Response } from 'express';
import type { Writable } from 'node:stream';
import { ZodError, type z } from 'zod';
import { route, type RouteSpec } from './gate.js';
import { markDeclared } from './declared.js';
import {
  contextFor,
  gateAccess,
  isEndpoint,
  parseParts,
  type Access,
  type CtxFor,
  type Endpoint,
  type InputOf,
  type InputSchemas,
  type RequestScope,
} from './endpoint.js';
import { fieldMessages, isFormError, valuesShownAgain } from './forms.js';
import { flash } from './flash.js';
import { tr } from './translate.js';
import { startCsvDownload } from './csv-download.js';
import { toAppError } from '../middlewares/errors.js';
import { RateLimitedError } from '../errors.js';
import { publicOrigin } from './public-url.js';
import { clientIp } from '../middlewares/auth.js';

/**
 * The surfaces over a declared endpoint, one line per route. Each gives a `RouteSpec` for `mount()`, so the gate
 * (access, step-up, sign-in redirect) is the one `route()` uses, and the router it is mounted on says whether it
 * answers as a page or as the API. Order in the mounted list is Express's order.
 */
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type AnyEndpoint<I extends InputSchemas, R, A extends Access> = Endpoint<I, R, A>;

export function declared<I extends InputSchemas, R, A extends Access>(
  method: Method,
  path: string,
  ep: AnyEndpoint<I, R, A>,
  handler: RouteSpec['handler'],
): RouteSpec {
  if (!isEndpoint(ep)) throw new Error(`${method.toUpperCase()} ${path} is not a declared endpoint: declare it with endpoint({ access, … })`);
  return markDeclared(route({ method, path, access: gateAccess(ep.access), stepUp: ep.stepUp, handler }));
}

/** What a view model or presenter may use besides the result: who asks, the parsed input, and the request's language. */
export type ViewCtx<I extends InputSchemas, A extends Access = Access> = {
  ctx: CtxFor<A>;
  input: InputOf<I>;
  t: (key: string, params?: Record<string, unknown>) => string;
  /** The request's language, for what `t` does not format (time zone names, dates). */
  locale: string;
  /** Where customers are sent (APP_URL, else this request's origin), for the links and QR codes shown to staff. */
  origin: string;
};

export function viewCtx<I extends InputSchemas, A extends Access>(req: Request, ctx: CtxFor<A>, input: InputOf<I>): ViewCtx<I, A> {
  return { ctx, input, t: (key, params) => tr(req, key, params), locale: req.locale, origin: publicOrigin(req) };
}

function scopeOf(req: Request): RequestScope {
  return { ip: clientIp(req), agenda: req.app.locals.agenda };
}

export async function runParsed<I extends InputSchemas, R, A extends Access>(ep: AnyEndpoint<I, R, A>, req: Request) {
  const input = parseParts(ep, req) as InputOf<I>;
  const ctx = contextFor(ep, req);
  return { ctx, input, result: await ep.run(ctx, input, scopeOf(req)) };
}

function setHeaders(res: Response, headers: Record<string, string> | undefined): void {
  for (const [name, value] of Object.entries(headers ?? {})) res.setHeader(name, value);
}

// --- API: JSON in, JSON out --------------------------------------------------------------------------------------

export type ApiOptions<I extends InputSchemas, R, A extends Access> = {
  /** 200 unless said; 204 answers with no body. A function where the result decides (201 only when something was made). */
  status?: number | ((result: R) => number);
  /** Result -> payload; without it the result is the payload. */
  present?: (result: R, view: ViewCtx<I, A>) => unknown;
  /** Set before the service call, so they hold for an error answer too (no-store for personal data). */
  headers?: Record<string, string>;
};

function apiRoute(method: Method) {
  return <I extends InputSchemas, R, A extends Access>(path: string, ep: AnyEndpoint<I, R, A>, opts: ApiOptions<I, R, A> = {}): RouteSpec =>
    declared(method, path, ep, async (req, res) => {
      setHeaders(res, opts.headers);
      const { ctx, input, result } = await runParsed(ep, req);
      const status = typeof opts.status === 'function' ? opts.status(result) : (opts.status ?? 200);
      if (status === 204) return void res.status(204).end();
      res.status(status).json(opts.present ? await opts.present(result, viewCtx(req, ctx, input)) : result);
    });
}

export const api = { get: apiRoute('get'), post: apiRoute('post'), put: apiRoute('put'), patch: apiRoute('patch'), delete: apiRoute('delete') };

type Flash = string | { key: string; params?: Record<string, unknown>; kind?: 'success' | 'danger' | 'info' };

// --- Pages: a view over the result -------------------------------------------------------------------------------

export type PageOptions<I extends InputSchemas, R, A extends Access> = {
  /** The view, or which view the result calls for (a public page that may say the person is not let in). */
  view: string | ((result: R) => string);
  model: (result: R, view: ViewCtx<I, A>) => Record<string, unknown> | Promise<Record<string, unknown>>;
  headers?: Record<string, string>;
  /** A page some are sent away from (the sign-in page, to someone signed in): an address answers 303 there instead of the view. */
  redirect?: (result: R, view: ViewCtx<I, A>) => string | null;
  /** 200 unless said: a page that answers a refusal or an outage itself (the form on it shown again, a 503 notice). */
  status?: (result: R) => number;
  /** A one-time message for the page a redirect sends to. */
  flash?: (result: R) => Flash | null;
  /** What the answer carries besides the page or the redirect (a cookie, a receipt in the session): transport only. */
  effects?: Effects<R, I>;
};

/** Effects run after the endpoint succeeded, before the answer is sent. */
export type Effects<R, I extends InputSchemas> = (result: R, input: InputOf<I>, http: { req: Request; res: Response }) => void;

function pageRoute(method: Method) {
  return <I extends InputSchemas, R, A extends Access>(path: string, ep: AnyEndpoint<I, R, A>, opts: PageOptions<I, R, A>): RouteSpec =>
    declared(method, path, ep, async (req, res) => {
      setHeaders(res, opts.headers);
      const { ctx, input, result } = await runParsed(ep, req);
      opts.effects?.(result, input, { req, res });
      const elsewhere = opts.redirect?.(result, viewCtx(req, ctx, input));
      if (elsewhere) {
        const message = opts.flash?.(result);
        if (message) flashMessage(req, message);
        return void res.redirect(303, elsewhere);
      }
      const model = await opts.model(result, viewCtx(req, ctx, input));
      if (opts.status) res.status(opts.status(result));
      res.render(typeof opts.view === 'string' ? opts.view : opts.view(result), model);
    });
}

/** `page.post` is for a POST that answers with a page (a revealed number is never put in an address or a redirect). */
export const page = { get: pageRoute('get'), post: pageRoute('post') };

// --- Forms: redirect on success, or the form again with its values and a message per field ------------------------

type Params<I extends InputSchemas> = I['params'] extends z.ZodType ? z.output<I['params']> : undefined;

export type FormOptions<I extends InputSchemas, R, A extends Access> = {
  redirect: string | ((result: R, input: InputOf<I>) => string);
  /** One-time messages on the next page (success unless a kind is given). */
  flash?: Flash | ((result: R, input: InputOf<I>, t: ViewCtx<I, A>['t']) => Flash | Flash[]);
  /**
   * The form shown again, for refusals the person can act on (bad fields, a conflict, a size or rate limit): the view,
   * and its model (titles, choices) to which the posted values and the messages per field are added.
   */
  view?: string;
  model?: (again: {
    ctx: CtxFor<A>;
    params: Params<I>;
    error: unknown;
    t: ViewCtx<I, A>['t'];
    origin: ViewCtx<I, A>['origin'];
    locale: string;
    /** What was posted, for choices that must still hold the value sent even when it was refused. */
    body: Record<string, unknown>;
    /** The parts parsed before the refusal (the address's query, the browser's cookies), to show the page as it was. */
    input: Partial<InputOf<I>>;
  }) => Record<string, unknown> | Promise<Record<string, unknown>>;
  /**
   * Shapes the posted fields for the view (repeated rows) where they are not shown one to one; given the model too,
   * for a second form on the page whose fields show stored values rather than this post's.
   */
  values?: (body: Record<string, unknown>, model: Record<string, unknown>) => Record<string, unknown>;
  /** Fields never echoed back (passwords). */
  secretFields?: string[];
  /** Where the form is not shown again: bad input is said in a message on the page the person is sent back to. */
  invalid?: { flash: string; redirect: string | ((params: Params<I>, body: Record<string, unknown>) => string) };
  /** What the answer carries besides the redirect (a cookie, a receipt in the session): transport only. */
  effects?: Effects<R, I>;
};

function flashOf(spec: Flash): Exclude<Flash, string> {
  return typeof spec === 'string' ? { key: spec } : spec;
}

function flashMessage(req: Request, spec: Flash): void {
  const { key, params, kind } = flashOf(spec);
  flash(req, kind ?? 'success', key, params);
}

function formRoute(method: Method) {
  return <I extends InputSchemas, R, A extends Access>(path: string, ep: AnyEndpoint<I, R, A>, opts: FormOptions<I, R, A>): RouteSpec =>
    declared(method, path, ep, async (req, res) => {
      const ctx = contextFor(ep, req);
      // A bad address is not the form's fault: it goes to the error handler like any other page's (so do cookies).
      const parsed: Partial<InputOf<I>> = parseParts(ep, req, ['params', 'cookies', 'session']);
      const { params } = parsed as { params: Params<I> };
      const body = (req.body ?? {}) as Record<string, unknown>;

      const showAgain = async (err: unknown): Promise<void> => {
        const appError = toAppError(err);
        if (!opts.view || !appError || !isFormError(appError)) throw err;
        const fields = (appError.details?.fields ?? {}) as Record<string, string[]>;
        if (appError instanceof RateLimitedError) res.setHeader('Retry-After', String(appError.retryAfterSeconds));
        const t = (key: string, p?: Record<string, unknown>) => tr(req, key, p);
        const model = opts.model ? await opts.model({ ctx, params, error: err, t, origin: publicOrigin(req), locale: req.locale, body, input: parsed }) : {};
        const shape = opts.values;
        // What was typed is in the page: not for a shared cache or the back-forward cache to keep.
        res.setHeader('Cache-Control', 'no-store');
        res.status(appError.status).render(opts.view, {
          ...model,
          ...receivedForms.get(req)?.shownAgain,
          values: valuesShownAgain(body, { secretFields: opts.secretFields, shape: shape && ((posted) => shape(posted, model)) }),
          errors: fieldMessages(fields, req.locale),
          formError: tr(req, appError.messageKey, appError.messageParams),
        });
      };

      const refusal = receivedForms.get(req)?.refusal;
      if (refusal) return showAgain(refusal);
      let input: InputOf<I>;
      try {
        // One part after the other, so a refused body still leaves the query to show the page as it was.
        Object.assign(parsed, parseParts(ep, req, ['query']));
        Object.assign(parsed, parseParts(ep, req, ['body']));
        input = parsed as InputOf<I>;
      } catch (err) {
        if (opts.invalid && err instanceof ZodError) {
          flash(req, 'danger', opts.invalid.flash);
          const to = opts.invalid.redirect;
          return void res.redirect(303, typeof to === 'string' ? to : to(params, body));
        }
        return showAgain(err);
      }
      let result: R;
      try {
        result = await ep.run(ctx, input, scopeOf(req));
      } catch (err) {
        return showAgain(err);
      }
      opts.effects?.(result, input, { req, res });
      if (opts.flash) {
        for (const spec of ([] as Flash[]).concat(typeof opts.flash === 'function' ? opts.flash(result, input, (key, p) => tr(req, key, p)) : opts.flash)) {
          flashMessage(req, spec);
        }
      }
      res.redirect(303, typeof opts.redirect === 'string' ? opts.redirect : opts.redirect(result, input));
    });
}

export const form = { post: formRoute('post') };

/** What a form's own reader met before the fields were parsed (pictures: an upload cap), and what its view is told when shown again. */
type Received = { refusal: unknown; shownAgain: Record<string, unknown> };
const receivedForms = new WeakMap<Request, Received>();

/** For a surface that reads a form itself (multipart with pictures) and then hands it to `form.post`'s handler. */
export function formReceived(req: Request, received: Received): void {
  receivedForms.set(req, received);
}

// --- CSV downloads --------------------------------------------------------------------------------------------------

/** The endpoint's run gives the writer; the kit sends the download's headers, then lets it write the body. */
export type CsvWriter = (out: Writable) => Promise<unknown>;

/** Where the rows are written in the reader's language (a reason column), `write` makes the writer from the run's result. */
type CsvOptions<I extends InputSchemas, R, A extends Access> = { fileName: string; write: (result: R, view: ViewCtx<I, A>) => CsvWriter };

function csvRoute(method: Method) {
  function csvDownload<I extends InputSchemas, A extends Access>(path: string, ep: AnyEndpoint<I, CsvWriter, A>, opts: { fileName: string }): RouteSpec;
  function csvDownload<I extends InputSchemas, R, A extends Access>(path: string, ep: AnyEndpoint<I, R, A>, opts: CsvOptions<I, R, A>): RouteSpec;
  function csvDownload<I extends InputSchemas, R, A extends Access>(
    path: string,
    ep: AnyEndpoint<I, R, A>,
    opts: { fileName: string; write?: CsvOptions<I, R, A>['write'] },
  ): RouteSpec {
    return declared(method, path, ep, async (req, res) => {
      const { ctx, input, result } = await runParsed(ep, req);
      const write = opts.write ? opts.write(result, viewCtx(req, ctx, input)) : (result as CsvWriter);
      startCsvDownload(res, opts.fileName);
      await write(res);
    });
  }
  return csvDownload;
}

export const csv = { get: csvRoute('get'), post: csvRoute('post') };

// --- Redirects ------------------------------------------------------------------------------------------------------

/** An address that only sends on (the home page, to each person's own console): 303 to where `to` says. */
function redirectRoute(method: Method) {
  return <I extends InputSchemas, R, A extends Access>(
    path: string,
    ep: AnyEndpoint<I, R, A>,
    opts: { to: (result: R, view: ViewCtx<I, A>) => string },
  ): RouteSpec =>
    declared(method, path, ep, async (req, res) => {
      const { ctx, input, result } = await runParsed(ep, req);
      res.redirect(303, opts.to(result, viewCtx(req, ctx, input)));
    });
}

export const redirect = { get: redirectRoute('get') };
