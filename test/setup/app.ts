import type { Express, RequestHandler } from 'express';
import request from 'supertest';
import { createApp } from '../../server/app.js';
import { loadConfig, type Config } from '../../server/config.js';
import { logger } from '../../server/logger.js';
import { SESSION_COOKIE } from '../../server/middlewares/session.js';
import { installRuntime } from '../../server/runtime.js';

/** `env` adds settings to the test's environment (for example a short REQUEST_TIME_LIMIT_MS). */
export async function buildTestApp(env: NodeJS.ProcessEnv = {}): Promise<{ app: Express; session: RequestHandler; config: Config }> {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env });
  // As main.ts does (useTestDatabase has usually installed it already: the same runtime then).
  installRuntime();
  return { ...(await createApp(config, logger)), config };
}

export type Agent = ReturnType<typeof request.agent>;

export function csrfTokenIn(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no CSRF token in the page');
  return match[1];
}

/** Opens a page and returns the CSRF token of its forms. */
export async function csrfFor(agent: Agent, path: string): Promise<string> {
  const res = await agent.get(path).expect(200);
  return csrfTokenIn(res.text);
}

/** A browser-like session: the login page, then the login form with its CSRF token. */
/** `app` is an Express app or the base URL of a listening server. */
export async function signIn(app: Express | string, login: string, password: string): Promise<Agent> {
  const agent = request.agent(app);
  const token = await csrfFor(agent, '/login');
  const res = await agent.post('/login').type('form').send({ _csrf: token, login, password });
  if (res.status !== 303) throw new Error(`login as ${login} failed with ${res.status}`);
  return agent;
}

/** The session cookie of an agent, for clients that are not supertest (Socket.IO). */
export function sessionCookieOf(agent: Agent, domain = '127.0.0.1'): string {
  const jar = (agent as unknown as { jar: { getCookie(name: string, access: object): { toValueString(): string } | undefined } }).jar;
  const cookie = jar.getCookie(SESSION_COOKIE, { domain, path: '/', secure: false, script: false });
  if (!cookie) throw new Error('no session cookie');
  return cookie.toValueString();
}

export async function postForm(agent: Agent, pagePath: string, actionPath: string, fields: Record<string, string | string[]>) {
  const token = await csrfFor(agent, pagePath);
  return agent
    .post(actionPath)
    .type('form')
    .send({ ...fields, _csrf: token });
}

/** The Authorization header of a fresh API token for a staff member. */
export async function bearerFor(app: Express | string, login: string, password: string): Promise<{ Authorization: string }> {
  const res = await request(app).post('/api/v1/tokens').send({ login, password, name: 'test' });
  if (res.status !== 201) throw new Error(`token for ${login} failed with ${res.status}`);
  return { Authorization: `Bearer ${res.body.token as string}` };
}
