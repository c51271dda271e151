import { describe, expect, it, beforeAll, afterAll } from '@jest/globals';
import request from 'supertest';
import type { Express } from 'express';
import { mongoose } from '../../server/db/connect.js';
import { buildTestApp } from '../setup/app.js';
import { connectThroughProxy, type startTcpProxy } from '../setup/tcp-proxy.js';

// This file reaches the database through a proxy it can cut, instead of useTestDatabase().
let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
let app: Express;

beforeAll(async () => {
  proxy = await connectThroughProxy();
  ({ app } = await buildTestApp());
});

afterAll(async () => {
  await mongoose.connection.dropDatabase().catch(() => undefined);
  await mongoose.disconnect();
  await proxy.close();
});

async function waitForReadyStatus(expected: number, deadlineMs: number): Promise<number> {
  const deadline = Date.now() + deadlineMs;
  let status = 0;
  while (Date.now() < deadline) {
    status = (await request(app).get('/readyz')).status;
    if (status === expected) return status;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return status;
}

describe('health endpoints', () => {
  it('answers /healthz while the process is alive', async () => {
    const res = await request(app).get('/healthz').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('answers /readyz 503 while the database is gone and 200 again when it is back, without a restart', async () => {
    const up = await request(app).get('/readyz');
    expect(up.status).toBe(200);
    expect(up.body).toEqual({ status: 'ready', database: 'up' });

    await proxy.cut();
    const down = await request(app).get('/readyz');
    expect(down.status).toBe(503);
    expect(down.body).toEqual({ status: 'unavailable', database: 'down' });

    await proxy.restore();
    expect(await waitForReadyStatus(200, 20_000)).toBe(200);
  }, 40_000);
});
