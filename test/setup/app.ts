import type { Express, RequestHandler } from 'express';
import request from 'supertest';
import { createApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { logger } from '../../server/logger.js';

export async function buildTestApp(): Promise<{ app: Express; session: RequestHandler }> {
  return createApp(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), logger);
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
export async function signIn(app: Express, login: string, password: string): Promise<Agent> {
  const agent = request.agent(app);
  const token = await csrfFor(agent, '/login');
  const res = await agent.post('/login').type('form').send({ _csrf: token, login, password });
  if (res.status !== 303) throw new Error(`login as ${login} failed with ${res.status}`);
  return agent;
}

export async function postForm(agent: Agent, pagePath: string, actionPath: string, fields: Record<string, string | string[]>) {
  const token = await csrfFor(agent, pagePath);
  return agent.post(actionPath).type('form').send({ ...fields, _csrf: token });
}
