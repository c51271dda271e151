import { describe, expect, it, beforeAll } from '@jest/globals';
import request from 'supertest';
import type { Express } from 'express';
import { useTestDatabase } from '../setup/db.js';
import { bearerFor, buildTestApp, postForm, signIn } from '../setup/app.js';
import { createCustomer, createOrgWithTeam, createStaff, PASSWORD } from '../factories.js';
import { Customer } from '../../server/models/customer.js';
import { TimelineEvent } from '../../server/models/timeline-event.js';
import { domainEvents } from '../../server/services/events.js';

useTestDatabase();

let app: Express;
beforeAll(async () => {
  ({ app } = await buildTestApp());
});

const bearer = (login: string) => bearerFor(app, login, PASSWORD);

describe('customer transfer', () => {
  it('moves a customer between active staff at most twice in 90 days and says when the next move is possible', async () => {
    const { org, store, clerk, manager } = await createOrgWithTeam();
    const second = await createStaff(org._id, { roles: ['clerk'], storeId: store._id });
    const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '被转交的客户' });
    const auth = await bearer(manager.login);
    const move = (to: string) => request(app).post('/api/v1/customers/transfer').set(auth).send({ customerIds: [String(customer._id)], toStaffId: to, note: '调岗' });

    expect((await move(String(second._id)).expect(200)).body).toEqual({ moved: 1, refused: [] });
    expect((await move(String(clerk._id)).expect(200)).body).toEqual({ moved: 1, refused: [] });
    const third = await move(String(second._id)).expect(200);
    expect(third.body.moved).toBe(0);
    expect(third.body.refused).toHaveLength(1);
    expect(third.body.refused[0]).toMatchObject({ id: String(customer._id), name: '被转交的客户' });
    expect(third.body.refused[0].movableFrom).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect((await Customer.findOne({ orgId: org._id, _id: customer._id }).lean())?.ownerId).toEqual(clerk._id);
    const notes = await TimelineEvent.find({ orgId: org._id, customerId: customer._id, type: 'customer.transferred' }).lean();
    expect(notes).toHaveLength(2);
    expect(notes[0]?.data).toMatchObject({ note: '调岗' });
  });

  it('never lets concurrent transfers pass the limit', async () => {
    const { org, store, clerk, manager } = await createOrgWithTeam();
    const targets = await Promise.all([1, 2, 3, 4].map(() => createStaff(org._id, { roles: ['clerk'], storeId: store._id })));
    const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id });
    const auth = await bearer(manager.login);
    const results = await Promise.all(targets.map((t) => request(app).post('/api/v1/customers/transfer').set(auth).send({ customerIds: [String(customer._id)], toStaffId: String(t._id) })));
    const moved = results.reduce((n, r) => n + (r.body.moved as number), 0);
    expect(moved).toBeLessThanOrEqual(2);
    expect((await Customer.findOne({ orgId: org._id, _id: customer._id }).lean())?.recentTransfers.length).toBe(moved);
  });

  it('shows customers of staff who left as waiting, and moves all of them without the limit', async () => {
    const { org, store, clerk, manager, admin } = await createOrgWithTeam();
    const leaving = await createStaff(org._id, { roles: ['clerk'], storeId: store._id, realName: '离职导购' });
    const a = await createCustomer(org._id, { ownerId: leaving._id, storeId: store._id });
    const b = await createCustomer(org._id, { ownerId: leaving._id, storeId: store._id });
    await Customer.updateOne({ orgId: org._id, _id: a._id }, { $set: { recentTransfers: [new Date(), new Date()] } });
    await request(app).post(`/api/v1/staff/${leaving._id}/deactivate`).set(await bearer(admin.login)).expect(200);

    const auth = await bearer(manager.login);
    const waiting = await request(app).get('/api/v1/customers/waiting-transfer').set(auth).expect(200);
    expect(waiting.body.items).toEqual([{ staffId: String(leaving._id), realName: '离职导购', customers: 2 }]);

    const events: unknown[] = [];
    const stop = domainEvents.onEvent('customers.transferred', (e) => events.push(e));
    const res = await request(app).post('/api/v1/customers/transfer').set(auth).send({ fromStaffId: String(leaving._id), toStaffId: String(clerk._id), note: '离职交接' }).expect(200);
    stop();
    // A departed clerk's whole book: her groups would move too (she had none).
    expect(res.body).toEqual({ moved: 2, refused: [], groupsMoved: 0 });
    expect(await Customer.countDocuments({ orgId: org._id, ownerId: clerk._id, _id: { $in: [a._id, b._id] } })).toBe(2);
    expect(events).toHaveLength(1);
    expect((await request(app).get('/api/v1/customers/waiting-transfer').set(auth).expect(200)).body.items).toEqual([]);
  });

  it('keeps transfers within reach: clerks cannot, managers only in their store, targets must be active staff of the organisation', async () => {
    const { org, store, otherStore, clerk, manager } = await createOrgWithTeam();
    const far = await createStaff(org._id, { roles: ['clerk'], storeId: otherStore._id });
    const farCustomer = await createCustomer(org._id, { ownerId: far._id, storeId: otherStore._id });
    const stranger = await createOrgWithTeam();
    await request(app).post('/api/v1/customers/transfer').set(await bearer(clerk.login)).send({ customerIds: [String(farCustomer._id)], toStaffId: String(clerk._id) }).expect(403);
    const auth = await bearer(manager.login);
    const outside = await request(app).post('/api/v1/customers/transfer').set(auth).send({ customerIds: [String(farCustomer._id)], toStaffId: String(clerk._id) });
    expect(outside.status).toBe(400);
    expect(outside.body.error.details.fields).toEqual({ customerIds: ['unknown_customer'] });
    const mine = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id });
    const foreignTarget = await request(app).post('/api/v1/customers/transfer').set(auth).send({ customerIds: [String(mine._id)], toStaffId: String(stranger.clerk._id) });
    expect(foreignTarget.status).toBe(400);
    expect(foreignTarget.body.error.details.fields).toEqual({ toStaffId: ['unknown_staff'] });
  });

  it('offers the transfer on the pages', async () => {
    const { org, store, clerk, manager, admin } = await createOrgWithTeam();
    const leaving = await createStaff(org._id, { roles: ['clerk'], storeId: store._id, realName: '要离开的人' });
    await createCustomer(org._id, { ownerId: leaving._id, storeId: store._id });
    await request(app).post(`/api/v1/staff/${leaving._id}/deactivate`).set(await bearer(admin.login)).expect(200);
    const agent = await signIn(app, manager.login, PASSWORD);
    const page = await agent.get('/customers/transfers').expect(200);
    expect(page.text).toContain('要离开的人');
    const res = await postForm(agent, '/customers/transfers', '/customers/transfer', { fromStaffId: String(leaving._id), toStaffId: String(clerk._id), note: '交接' });
    expect(res.status).toBe(303);
    expect(await Customer.countDocuments({ orgId: org._id, ownerId: clerk._id })).toBe(1);
  });
});
