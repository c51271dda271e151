import { describe, expect, it, beforeAll } from '@jest/globals';
import request from 'supertest';
import type { Express } from 'express';
import { useTestDatabase } from '../setup/db.js';
import { bearerFor, buildTestApp, postForm, signIn } from '../setup/app.js';
import { createCustomer, createOrgWithTeam, createStaff, PASSWORD } from '../factories.js';
import { Customer } from '../../server/models/customer.js';
import { TimelineEvent } from '../../server/models/timeline-event.js';
import { AuditEvent } from '../../server/models/audit-event.js';
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
    const move = (to: string) =>
      request(app)
        .post('/api/v1/customers/transfer')
        .set(auth)
        .send({ customerIds: [String(customer._id)], toStaffId: to, note: '调岗' });

    expect((await move(String(second._id)).expect(200)).body).toEqual({
      moved: 1,
      to: { id: String(second._id), realName: second.realName, storeName: store.name },
      refused: [],
    });
    expect((await move(String(clerk._id)).expect(200)).body).toMatchObject({ moved: 1, refused: [] });
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
    const results = await Promise.all(
      targets.map((t) =>
        request(app)
          .post('/api/v1/customers/transfer')
          .set(auth)
          .send({ customerIds: [String(customer._id)], toStaffId: String(t._id) }),
      ),
    );
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
    await request(app)
      .post(`/api/v1/staff/${leaving._id}/deactivate`)
      .set(await bearer(admin.login))
      .expect(200);

    const auth = await bearer(manager.login);
    const waiting = await request(app).get('/api/v1/customers/waiting-transfer').set(auth).expect(200);
    expect(waiting.body.items).toEqual([{ staffId: String(leaving._id), realName: '离职导购', customers: 2 }]);

    const events: unknown[] = [];
    const stop = domainEvents.onEvent('customers.transferred', (e) => events.push(e));
    const res = await request(app)
      .post('/api/v1/customers/transfer')
      .set(auth)
      .send({ fromStaffId: String(leaving._id), toStaffId: String(clerk._id), note: '离职交接' })
      .expect(200);
    stop();
    // A departed clerk's whole book: her groups would move too (she had none).
    expect(res.body).toMatchObject({ moved: 2, refused: [], groupsMoved: 0 });
    expect(await Customer.countDocuments({ orgId: org._id, ownerId: clerk._id, _id: { $in: [a._id, b._id] } })).toBe(2);
    expect(events).toHaveLength(1);
    expect((await request(app).get('/api/v1/customers/waiting-transfer').set(auth).expect(200)).body.items).toEqual([]);
  });

  it('keeps transfers within reach: clerks cannot, managers only in their store, targets must be active staff of the organisation', async () => {
    const { org, store, otherStore, clerk, manager } = await createOrgWithTeam();
    const far = await createStaff(org._id, { roles: ['clerk'], storeId: otherStore._id });
    const farCustomer = await createCustomer(org._id, { ownerId: far._id, storeId: otherStore._id });
    const stranger = await createOrgWithTeam();
    await request(app)
      .post('/api/v1/customers/transfer')
      .set(await bearer(clerk.login))
      .send({ customerIds: [String(farCustomer._id)], toStaffId: String(clerk._id) })
      .expect(403);
    const auth = await bearer(manager.login);
    const outside = await request(app)
      .post('/api/v1/customers/transfer')
      .set(auth)
      .send({ customerIds: [String(farCustomer._id)], toStaffId: String(clerk._id) });
    expect(outside.status).toBe(400);
    expect(outside.body.error.details.fields).toEqual({ customerIds: ['unknown_customer'] });
    const mine = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id });
    const foreignTarget = await request(app)
      .post('/api/v1/customers/transfer')
      .set(auth)
      .send({ customerIds: [String(mine._id)], toStaffId: String(stranger.clerk._id) });
    expect(foreignTarget.status).toBe(400);
    expect(foreignTarget.body.error.details.fields).toEqual({ toStaffId: ['unknown_staff'] });
  });

  it('offers the transfer on the pages', async () => {
    const { org, store, clerk, manager, admin } = await createOrgWithTeam();
    const leaving = await createStaff(org._id, { roles: ['clerk'], storeId: store._id, realName: '要离开的人' });
    await createCustomer(org._id, { ownerId: leaving._id, storeId: store._id });
    await request(app)
      .post(`/api/v1/staff/${leaving._id}/deactivate`)
      .set(await bearer(admin.login))
      .expect(200);
    const agent = await signIn(app, manager.login, PASSWORD);
    const page = await agent.get('/customers/transfers').expect(200);
    expect(page.text).toContain('要离开的人');
    const res = await postForm(agent, '/customers/transfers', '/customers/transfer', {
      fromStaffId: String(leaving._id),
      toStaffId: String(clerk._id),
      note: '交接',
    });
    expect(res.status).toBe(303);
    expect(await Customer.countDocuments({ orgId: org._id, ownerId: clerk._id })).toBe(1);
  });

  it('moves nobody through an edit: PATCH or the edit form naming another owner or store is refused whole, for every role', async () => {
    const { org, store, otherStore, clerk, manager, marketer, admin } = await createOrgWithTeam();
    const second = await createStaff(org._id, { roles: ['clerk'], storeId: store._id });
    const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '不该被改走' });
    const before = await Customer.findOne({ orgId: org._id, _id: customer._id }).lean();
    // The marketer, whom the transfer endpoint refuses, tried this; managers and admins could skip the 2-in-90-days rule.
    await request(app)
      .post('/api/v1/customers/transfer')
      .set(await bearer(marketer.login))
      .send({ customerIds: [String(customer._id)], toStaffId: String(second._id), note: '' })
      .expect(403);
    for (const staff of [marketer, manager, admin, clerk]) {
      const auth = await bearer(staff.login);
      for (const body of [
        { ownerId: String(second._id) },
        { ownerId: null },
        { storeId: String(otherStore._id) },
        { ownerId: String(second._id), notes: '顺便改备注' },
      ]) {
        const res = await request(app).patch(`/api/v1/customers/${customer._id}`).set(auth).send(body);
        expect([staff.login, body, res.status, res.body.error?.code]).toEqual([staff.login, body, 400, 'invalid_input']);
        expect(Object.values(res.body.error.details.fields).flat()).toEqual(expect.arrayContaining(['use_transfer']));
      }
      // Naming the current owner and store is no change: the edit goes through.
      await request(app)
        .patch(`/api/v1/customers/${customer._id}`)
        .set(auth)
        .send({ ownerId: String(clerk._id), storeId: String(store._id), notes: `由${staff.login}编辑` })
        .expect(200);
    }
    const after = await Customer.findOne({ orgId: org._id, _id: customer._id }).lean();
    expect([after?.ownerId, after?.storeId, after?.recentTransfers]).toEqual([before?.ownerId, before?.storeId, []]);
    expect(await TimelineEvent.countDocuments({ orgId: org._id, customerId: customer._id, type: 'customer.transferred' })).toBe(0);

    // The edit page offers no owner or store, says where they change, and keeps them on save.
    const page = await signIn(app, manager.login, PASSWORD);
    const form = await page.get(`/customers/${customer._id}/edit`).expect(200);
    expect(form.text).not.toContain('name="ownerId"');
    expect(form.text).toContain('data-testid="placement-hint"');
    const forged = await postForm(page, `/customers/${customer._id}/edit`, `/customers/${customer._id}`, {
      name: '新名字',
      phone: customer.phone,
      gender: 'unknown',
      source: 'in_store',
      ownerId: String(second._id),
      storeId: String(otherStore._id),
    });
    expect(forged.status).toBe(303);
    const saved = await Customer.findOne({ orgId: org._id, _id: customer._id }).lean();
    expect([saved?.name, saved?.ownerId, saved?.storeId]).toEqual(['新名字', clerk._id, store._id]);
  });
  it("offers a manager only her own store's active clerks and managers, with store and roles, and refuses any other target whole (API)", async () => {
    const { org, store, otherStore, clerk, manager, admin } = await createOrgWithTeam();
    const colleague = await createStaff(org._id, { roles: ['clerk'], storeId: store._id, realName: '本店导购' });
    const far = await createStaff(org._id, { roles: ['clerk'], storeId: otherStore._id, realName: '别店导购' });
    const gone = await createStaff(org._id, { roles: ['clerk'], storeId: store._id, realName: '离开的导购' });
    await request(app)
      .post(`/api/v1/staff/${gone._id}/deactivate`)
      .set(await bearer(admin.login))
      .expect(200);
    const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id });
    const auth = await bearer(manager.login);

    const targets = (await request(app).get('/api/v1/customers/transfer-targets').set(auth).expect(200)).body.items as {
      id: string;
      realName: string;
      roles: string[];
      store: { id: string; name: string } | null;
    }[];
    expect(targets.map((t) => t.id).sort()).toEqual([String(clerk._id), String(manager._id), String(colleague._id)].sort());
    expect(targets.find((t) => t.id === String(colleague._id))).toEqual({
      id: String(colleague._id),
      realName: '本店导购',
      roles: ['clerk'],
      store: { id: String(store._id), name: store.name },
    });
    // An admin reaches the whole organisation.
    const adminTargets = (
      await request(app)
        .get('/api/v1/customers/transfer-targets')
        .set(await bearer(admin.login))
        .expect(200)
    ).body.items as { id: string }[];
    expect(adminTargets.map((t) => t.id)).toEqual(expect.arrayContaining([String(far._id), String(colleague._id)]));
    expect(adminTargets.map((t) => t.id)).not.toContain(String(gone._id));

    for (const forged of [far, gone]) {
      const res = await request(app)
        .post('/api/v1/customers/transfer')
        .set(auth)
        .send({ customerIds: [String(customer._id)], toStaffId: String(forged._id), note: '伪造' });
      expect([res.status, res.body.error?.details?.fields]).toEqual([400, { toStaffId: ['not_transfer_target'] }]);
    }
    const garbage = await request(app)
      .post('/api/v1/customers/transfer')
      .set(auth)
      .send({ customerIds: [String(customer._id)], toStaffId: 'nobody' });
    expect([garbage.status, garbage.body.error?.details?.fields]).toEqual([400, { toStaffId: ['unknown_staff'] }]);
    const after = await Customer.findOne({ orgId: org._id, _id: customer._id }).lean();
    expect([after?.ownerId, after?.storeId, after?.recentTransfers]).toEqual([clerk._id, store._id, []]);
    expect(await TimelineEvent.countDocuments({ orgId: org._id, customerId: customer._id, type: 'customer.transferred' })).toBe(0);
    expect(await AuditEvent.countDocuments({ orgId: org._id, action: 'customer.transfer' })).toBe(0);
  });

  it('on the pages: the detail form lists the allowed targets with store and role, a transfer lands on the list naming the new clerk, and a forged target is refused with a message', async () => {
    const { org, store, otherStore, clerk, manager } = await createOrgWithTeam();
    const colleague = await createStaff(org._id, { roles: ['clerk'], storeId: store._id, realName: '接手的导购' });
    const far = await createStaff(org._id, { roles: ['clerk'], storeId: otherStore._id, realName: '别店的导购' });
    const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '要转交的客户' });
    const page = await signIn(app, manager.login, PASSWORD);

    const detail = await page.get(`/customers/${customer._id}`).expect(200);
    expect(detail.text).toContain(`<option value="${colleague._id}">接手的导购（${store.name} · 导购）</option>`);
    // Sharing may name any colleague; the transfer choices only the allowed ones.
    const transferChoices = /id="f-to-single"[\s\S]*?<\/select>/.exec(detail.text)![0];
    expect(transferChoices).toContain(String(colleague._id));
    expect(transferChoices).not.toContain(String(far._id));

    const forged = await postForm(page, `/customers/${customer._id}`, '/customers/transfer', {
      customerIds: String(customer._id),
      toStaffId: String(far._id),
      note: '',
    });
    expect(forged.status).toBe(400);
    expect(forged.text).toContain('data-testid="transfer-error"');
    expect(forged.text).toContain('只能转给列表中的在职导购或店长');
    expect((await Customer.findOne({ orgId: org._id, _id: customer._id }).lean())?.ownerId).toEqual(clerk._id);
    expect(await TimelineEvent.countDocuments({ orgId: org._id, customerId: customer._id, type: 'customer.transferred' })).toBe(0);

    const moved = await postForm(page, `/customers/${customer._id}`, '/customers/transfer', {
      customerIds: String(customer._id),
      toStaffId: String(colleague._id),
      note: '换班',
    });
    expect([moved.status, moved.headers.location]).toEqual([303, '/customers']);
    const list = await page.get('/customers').expect(200);
    expect(list.text).toContain(`已将 1 位客户转交给 接手的导购（${store.name}）。`);
    expect((await Customer.findOne({ orgId: org._id, _id: customer._id }).lean())?.ownerId).toEqual(colleague._id);
  });
});
