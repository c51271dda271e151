import { describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler } from 'express';
import { timeLimit } from '../../server/middlewares/time-limit.js';

/**
 * An app whose route answers only when the test lets it, behind the time limit; `errors` collects whatever reaches
 * an error handler after the route (a late answer that threw "headers already sent" would land there).
 */
function appWithSlowRoute(limitMs: number) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let lateAnswerDone!: () => void;
  const lateAnswer = new Promise<void>((resolve) => (lateAnswerDone = resolve));
  const errors: unknown[] = [];
  const app = express();
  app.use(
    timeLimit({
      ms: limitMs,
      answer: (err, _req, res) =>
        void res
          .status(err.status)
          .setHeader('Retry-After', String(err.retryAfterSeconds))
          .json({ error: { code: err.code } }),
    }),
  );
  app.get('/slow', async (_req, res) => {
    await released;
    try {
      res.setHeader('X-Late', '1');
      res.status(200).json({ late: true });
    } finally {
      lateAnswerDone();
    }
  });
  app.get('/slow-redirect', async (_req, res) => {
    await released;
    try {
      res.redirect('/elsewhere');
    } finally {
      lateAnswerDone();
    }
  });
  const recordErrors: ErrorRequestHandler = (err, _req, _res, next) => {
    errors.push(err);
    next();
  };
  app.use(recordErrors);
  return { app, release, lateAnswer, errors };
}

/** One raw request; resolves with everything the server wrote on the connection until it closed or went quiet. */
async function rawExchange(app: express.Express, path: string, quietMs: number): Promise<{ text: string; ms: number }> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const started = Date.now();
  try {
    return await new Promise((resolve, reject) => {
      const req = http.request({ port, host: '127.0.0.1', path, agent: false }, (res) => {
        let text = `${res.statusCode} ${JSON.stringify(res.headers)}\n`;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ text, ms: Date.now() - started }));
      });
      req.setTimeout(quietMs, () => reject(new Error('no answer')));
      req.on('error', reject);
      req.end();
    });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('the request time limit', () => {
  it.each(['/slow', '/slow-redirect'])('answers %s with 503 and Retry-After at the limit; the late answer writes nothing and throws nothing', async (path) => {
    const { app, release, lateAnswer, errors } = appWithSlowRoute(200);
    const answered = await rawExchange(app, path, 5000);
    expect(answered.text).toMatch(/^503 /);
    expect(answered.text).toContain('"retry-after":"5"');
    expect(answered.text).toContain('database_unavailable');
    expect(answered.ms).toBeLessThan(1500);
    release();
    await lateAnswer;
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toEqual([]);
  });

  it('does not count the time a client takes to send its body while its bytes keep arriving', async () => {
    const app = express();
    app.use(timeLimit({ ms: 300, answer: (err, _req, res) => void res.status(err.status).json({ error: { code: err.code } }) }));
    app.post('/upload', (req, res) => {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => (bytes += chunk.length));
      req.on('end', () => res.json({ bytes }));
    });
    const server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const status = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(
          {
            port,
            host: '127.0.0.1',
            path: '/upload',
            method: 'POST',
            agent: false,
            headers: { 'Content-Type': 'application/octet-stream', 'Transfer-Encoding': 'chunked' },
          },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        // A slow line: a chunk every 100 ms for 1.2 s, four times the limit in all.
        let sent = 0;
        const timer = setInterval(() => {
          req.write(Buffer.alloc(1000));
          sent += 1;
          if (sent === 12) {
            clearInterval(timer);
            req.end();
          }
        }, 100);
      });
      expect(status).toEqual({ status: 200, body: JSON.stringify({ bytes: 12_000 }) });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
