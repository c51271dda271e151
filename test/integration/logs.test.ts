import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { pino } from 'pino';
import { useTestDatabase } from '../setup/db.js';
import { csrfFor } from '../setup/app.js';
import { createApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { redactPaths } from '../../server/logger.js';
import { createOrgWithTeam, PASSWORD } from '../factories.js';

useTestDatabase();

describe('logs', () => {
  it('hold request ids but never passwords, tokens, cookies or the session secret', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = pino({ level: 'trace', redact: { paths: redactPaths, censor: '[redacted]' } }, sink);
    const config = loadConfig({ NODE_ENV: 'test', SESSION_SECRET: 's'.repeat(48) });
    const { app } = await createApp(config, log);
    const { clerk } = await createOrgWithTeam();

    const agent = request.agent(app);
    const csrf = await csrfFor(agent, '/login');
    await agent.post('/login').type('form').send({ _csrf: csrf, login: clerk.login, password: PASSWORD }).expect(303);
    await agent.post('/login').type('form').send({ _csrf: csrf, login: clerk.login, password: 'a-wrong-secret-password' });
    const { body } = await request(app).post('/api/v1/tokens?password=in-the-url').send({ login: clerk.login, password: PASSWORD, name: 'n' }).expect(201);
    await request(app).get('/api/v1/me').set('Authorization', `Bearer ${body.token}`).expect(200);

    const all = lines.join('');
    expect(lines.length).toBeGreaterThan(3);
    expect(all).toMatch(/"id":"[0-9a-f-]{36}"/);
    for (const secret of [PASSWORD, 'a-wrong-secret-password', 'in-the-url', body.token as string, 's'.repeat(48), csrf, 'storelink.sid=']) {
      expect([secret, all.includes(secret)]).toEqual([secret, false]);
    }
  });

  it('keep a developer’s terminal to what went wrong: requests that succeed are logged at debug in development, at info elsewhere', async () => {
    const levelsOf = async (env: 'development' | 'production') => {
      const entries: { level: number; msg: string; res?: { statusCode: number } }[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _enc, done) {
          entries.push(JSON.parse(chunk.toString()));
          done();
        },
      });
      const { app } = await createApp(
        loadConfig({ NODE_ENV: env, SESSION_SECRET: 's'.repeat(48), APP_URL: 'http://localhost:3000' }),
        pino({ level: 'trace' }, sink),
      );
      await request(app).get('/login').expect(200);
      await request(app).get('/api/v1/me').expect(401);
      const completed = entries.filter((e) => e.res);
      return Object.fromEntries(completed.map((e) => [e.res!.statusCode, pino.levels.labels[e.level]]));
    };
    expect(await levelsOf('development')).toEqual({ 200: 'debug', 401: 'warn' });
    expect(await levelsOf('production')).toEqual({ 200: 'info', 401: 'warn' });
  });
});
