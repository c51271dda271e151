import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { Express } from 'express';
import type { Types } from 'mongoose';
import { useTestDatabase } from '../setup/db.js';
import { bearerFor, buildTestApp, postForm, signIn } from '../setup/app.js';
import { createCustomer, createOrgWithTeam, createTag, PASSWORD } from '../factories.js';
import { useFrozenClock } from '../setup/clock.js';
import { runDailyFollowups } from '../../server/services/followups/daily-run.js';
import { FollowupTask } from '../../server/models/followup-task.js';
import { Customer } from '../../server/models/customer.js';

useTestDatabase();

// 10:00 on 1 December 2026 in Shanghai: the 08:30 run of the day is over.
const NOW = new Date('2026-12-01T02:00:00Z');
const TODAY = '2026-12-01';
useFrozenClock(NOW);

let app: Express;
beforeAll(async () => {
  ({ app } = await buildTestApp());
});

const newCustomerForm = {
  name: '新客户',
  phone: '13700137011',
  gender: 'female',
  birthdayMonth: '12',
  birthdayDay: '4',
  birthdayYear: '',
  relativeRelation: ['母亲', ''],
  relativeName: ['李华', ''],
  relativeMonth: ['12', ''],
  relativeDay: ['6', ''],
  relativeYear: ['', ''],
  source: 'in_store',
  notes: '',
};

const tasksOf = async (orgId: Types.ObjectId, customerId: Types.ObjectId | string) =>
  (await FollowupTask.find({ orgId, customerId }).sort({ date: 1 }).lean()).map((t) => ({
    occasion: t.occasion,
    date: t.date,
    status: t.status,
    relative: t.relative?.name ?? null,
  }));

describe('follow-ups for a customer added or edited during the day', () => {
  it('gives a customer added on the page today her and her mother’s birthday tasks at once, and the next run adds none twice', async () => {
    const { org, clerk } = await createOrgWithTeam();
    const agent = await signIn(app, clerk.login, PASSWORD);
    const created = await postForm(agent, '/customers/new', '/customers', newCustomerForm);
    expect(created.status).toBe(303);
    const customer = await Customer.findOne({ orgId: org._id, name: '新客户' }).lean();

    expect(await tasksOf(org._id, customer!._id)).toEqual([
      { occasion: 'birthday', date: '2026-12-04', status: 'open', relative: null },
      { occasion: 'relative-birthday', date: '2026-12-06', status: 'open', relative: '李华' },
    ]);
    const inbox = await agent.get('/followups').expect(200);
    expect(inbox.text).toContain('新客户');
    expect(inbox.text).toContain('母亲李华的生日');

    const run = await runDailyFollowups(String(org._id), NOW, { date: TODAY });
    expect(run.created).toBe(0);
    expect(await FollowupTask.countDocuments({ orgId: org._id, customerId: customer!._id })).toBe(2);
  });

  it('over the API: an added customer gets her task; moving the birthday out of the lead time withdraws the untouched task, moving it in creates the new one', async () => {
    const { org, clerk } = await createOrgWithTeam();
    const auth = await bearerFor(app, clerk.login, PASSWORD);
    const added = await request(app)
      .post('/api/v1/customers')
      .set(auth)
      .send({
        name: '王芳',
        phone: '13800138011',
        birthday: { month: 12, day: 3 },
        relatives: [{ relation: '女儿', name: '小米', birthday: { month: 12, day: 5 } }],
        source: 'in_store',
      })
      .expect(201);
    const id = added.body.id as string;
    expect((await tasksOf(org._id, id)).map((t) => t.date)).toEqual(['2026-12-03', '2026-12-05']);

    // The birthday was typed wrong: it is on 20 December, beyond the 7 days ahead; the daughter is no longer listed.
    await request(app)
      .patch(`/api/v1/customers/${id}`)
      .set(auth)
      .send({ birthday: { month: 12, day: 20 }, relatives: [] })
      .expect(200);
    expect(await tasksOf(org._id, id)).toEqual([]);
    const listed = await request(app).get('/api/v1/followups').set(auth).expect(200);
    expect(listed.body.items).toEqual([]);

    await request(app)
      .patch(`/api/v1/customers/${id}`)
      .set(auth)
      .send({ birthday: { month: 12, day: 2 } })
      .expect(200);
    expect(await tasksOf(org._id, id)).toEqual([{ occasion: 'birthday', date: '2026-12-02', status: 'open', relative: null }]);
    expect((await runDailyFollowups(String(org._id), NOW, { date: TODAY })).created).toBe(0);
  });

  it('keeps a task the clerk already worked (snoozed or done) when the birthday moves, and leaves other customers’ tasks alone', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    const worked = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '已跟进', birthday: { month: 12, day: 3 } });
    const other = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '旁人', birthday: { month: 12, day: 3 } });
    await runDailyFollowups(String(org._id), NOW, { date: TODAY });
    const auth = await bearerFor(app, clerk.login, PASSWORD);
    const task = await FollowupTask.findOne({ orgId: org._id, customerId: worked._id }).lean();
    await request(app).patch(`/api/v1/followups/${task!._id}`).set(auth).send({ status: 'snoozed', snoozeUntil: '2026-12-02' }).expect(200);

    await request(app)
      .patch(`/api/v1/customers/${worked._id}`)
      .set(auth)
      .send({ birthday: { month: 12, day: 5 } })
      .expect(200);
    expect(await tasksOf(org._id, worked._id)).toEqual([
      { occasion: 'birthday', date: '2026-12-03', status: 'snoozed', relative: null },
      { occasion: 'birthday', date: '2026-12-05', status: 'open', relative: null },
    ]);
    expect(await tasksOf(org._id, other._id)).toEqual([{ occasion: 'birthday', date: '2026-12-03', status: 'open', relative: null }]);
  });

  it('an edit on the page that keeps the birthday changes no task', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '老客户', birthday: { month: 12, day: 3 } });
    await runDailyFollowups(String(org._id), NOW, { date: TODAY });
    const before = await FollowupTask.findOne({ orgId: org._id, customerId: customer._id }).lean();
    const agent = await signIn(app, clerk.login, PASSWORD);
    const saved = await postForm(agent, `/customers/${customer._id}/edit`, `/customers/${customer._id}`, {
      ...newCustomerForm,
      name: '老客户',
      phone: customer.phone,
      birthdayMonth: '12',
      birthdayDay: '3',
      relativeRelation: [''],
      relativeName: [''],
      relativeMonth: [''],
      relativeDay: [''],
      relativeYear: [''],
      notes: '喜欢芒果',
    });
    expect(saved.status).toBe(303);
    const after = await FollowupTask.find({ orgId: org._id, customerId: customer._id }).lean();
    expect(after.map((t) => String(t._id))).toEqual([String(before!._id)]);
  });

  it('a tag that brings a customer into a rule’s audience gives her the task at once', async () => {
    const { org, store, clerk, marketer } = await createOrgWithTeam();
    const vip = await createTag(org._id, { name: 'VIP' });
    await request(app)
      .patch('/api/v1/followup-rules/birthday')
      .set(await bearerFor(app, marketer.login, PASSWORD))
      .send({ tagIds: [String(vip._id)] })
      .expect(200);
    const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, birthday: { month: 12, day: 4 } });
    await runDailyFollowups(String(org._id), NOW, { date: TODAY });
    expect(await tasksOf(org._id, customer._id)).toEqual([]);

    await request(app)
      .post(`/api/v1/customers/${customer._id}/tags`)
      .set(await bearerFor(app, clerk.login, PASSWORD))
      .send({ add: [String(vip._id)] })
      .expect(200);
    expect(await tasksOf(org._id, customer._id)).toEqual([{ occasion: 'birthday', date: '2026-12-04', status: 'open', relative: null }]);
  });
});
