import { describe, expect, it, beforeAll } from '@jest/globals';
import request from 'supertest';
import type { Express } from 'express';
import { useTestDatabase } from '../setup/db.js';
import { bearerFor, buildTestApp } from '../setup/app.js';
import { createCustomer, createOrgWithTeam, PASSWORD } from '../factories.js';
import { Customer } from '../../server/models/customer.js';
import { nameKeyOf } from '../../server/models/customer-name-key.js';
import { backfillCustomerNameKeys } from '../../server/services/customers/name-keys.js';

useTestDatabase();

let app: Express;
beforeAll(async () => {
  ({ app } = await buildTestApp());
});

describe('sorting customers by name', () => {
  it('keys a name by toneless pinyin, a leading surname read as one, Latin lower-cased', () => {
    expect(nameKeyOf('张伟')).toBe('zhang wei');
    expect(nameKeyOf('曾小贤')).toBe('zeng xiao xian');
    expect(nameKeyOf('单田芳')).toBe('shan tian fang');
    expect(nameKeyOf('Alice 王')).toBe('alice wang');
    expect(nameKeyOf(' 王  芳 ')).toBe('wang fang');
    expect(nameKeyOf('李') < nameKeyOf('李娜')).toBe(true);
  });

  it('lists by pinyin from an index, and keeps the key on every write path: add, edit, import', async () => {
    const { clerk } = await createOrgWithTeam();
    const auth = await bearerFor(app, clerk.login, PASSWORD);
    const names = ['张伟', '李娜', 'Bob', '曾小贤', '阿明', '王芳'];
    const ids: Record<string, string> = {};
    for (const [i, name] of names.entries()) {
      ids[name] = (
        await request(app)
          .post('/api/v1/customers')
          .set(auth)
          .send({ name, phone: `1380013${String(8000 + i)}` })
          .expect(201)
      ).body.id;
    }
    const listed = async () =>
      ((await request(app).get('/api/v1/customers?sort=name&limit=50').set(auth).expect(200)).body.items as { name: string }[]).map((c) => c.name);
    expect(await listed()).toEqual(['阿明', 'Bob', '李娜', '王芳', '曾小贤', '张伟']);

    const bob = (await request(app).get(`/api/v1/customers/${ids.Bob}`).set(auth).expect(200)).body;
    await request(app).patch(`/api/v1/customers/${ids.Bob}`).set(auth).send({ name: '安安' }).expect(200);
    expect(bob.name).toBe('Bob');
    const csv = ['name,phone', '白雪,13911112222', '欧阳娜娜,13911113333'].join('\n');
    const imported = await request(app)
      .post('/api/v1/customers/imports?policy=skip')
      .set(auth)
      .set('Content-Type', 'text/csv')
      .send(Buffer.from(csv))
      .expect(202);
    for (let i = 0; i < 200; i++) {
      const state = await request(app).get(`/api/v1/customers/imports/${imported.body.id}`).set(auth).expect(200);
      if (state.body.status !== 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await listed()).toEqual(['阿明', '安安', '白雪', '李娜', '欧阳娜娜', '王芳', '曾小贤', '张伟']);
  });

  it('fills the key in once for customers stored before it existed', async () => {
    const { org, clerk, store } = await createOrgWithTeam();
    const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '周杰' });
    // As a customer written by an earlier version was stored: without the key.
    await Customer.collection.updateOne({ _id: customer._id }, { $unset: { nameKey: '' } });
    expect(await backfillCustomerNameKeys()).toBeGreaterThanOrEqual(1);
    expect((await Customer.findOne({ orgId: org._id, _id: customer._id }).lean())?.nameKey).toBe('zhou jie');
    expect(await backfillCustomerNameKeys()).toBe(0);
  });
});
