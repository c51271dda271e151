import { describe, expect, it, beforeAll } from '@jest/globals';
import request from 'supertest';
import type { Express } from 'express';
import { DateTime } from 'luxon';
import { useTestDatabase } from '../setup/db.js';
import { bearerFor, buildTestApp } from '../setup/app.js';
import { createCustomer, createOrgWithTeam, createStaff, PASSWORD, createTag } from '../factories.js';
import { Customer } from '../../server/models/customer.js';
import { TimelineEvent } from '../../server/models/timeline-event.js';
import { AuditEvent } from '../../server/models/audit-event.js';
import { Tag } from '../../server/models/tag.js';

useTestDatabase();

let app: Express;
beforeAll(async () => {
  ({ app } = await buildTestApp());
});

const bearer = (login: string) => bearerFor(app, login, PASSWORD);

const alice = {
  name: '王芳',
  phone: '138 0013 8000',
  gender: 'female',
  birthday: { year: 1992, month: 2, day: 29 },
  relatives: [{ relation: '母亲', name: '李秀英', birthday: { month: 12, day: 3 } }],
  source: 'in_store',
};

describe('customers over the API', () => {
  it('adds a customer for the clerk, normalises the phone, stores birthdays for range queries, and writes the timeline', async () => {
    const { clerk, store, org } = await createOrgWithTeam();
    const auth = await bearer(clerk.login);
    const res = await request(app).post('/api/v1/customers').set(auth).send(alice);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: '王芳',
      phone: '138****8000',
      phoneMasked: true,
      ownerId: String(clerk._id),
      storeId: String(store._id),
      birthday: { year: 1992, month: 2, day: 29 },
    });
    const stored = await Customer.findOne({ orgId: org._id, _id: res.body.id }).lean();
    expect(stored).toMatchObject({ phone: '+8613800138000', phoneTail: '8000', birthdayMds: [229, 1203] });
    const timeline = await request(app).get(`/api/v1/customers/${res.body.id}/timeline`).set(auth).expect(200);
    expect(timeline.body.items).toEqual([expect.objectContaining({ type: 'customer.created', actor: clerk.realName })]);
    expect(await TimelineEvent.countDocuments({ orgId: org._id, customerId: stored!._id })).toBe(0);
  });

  it('answers a second customer with the same number with 409 duplicate and the existing id, in any format', async () => {
    const { clerk } = await createOrgWithTeam();
    const auth = await bearer(clerk.login);
    const first = await request(app)
      .post('/api/v1/customers')
      .set(auth)
      .send({ ...alice, phone: '13900139000' })
      .expect(201);
    const again = await request(app)
      .post('/api/v1/customers')
      .set(auth)
      .send({ ...alice, name: '另一个', phone: '+86 139-0013-9000' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'duplicate', existingId: first.body.id });
  });

  it('keeps placement within reach and hides the id of a duplicate the caller cannot open', async () => {
    const { org, store, otherStore, clerk, manager } = await createOrgWithTeam();
    const far = await createStaff(org._id, { roles: ['clerk'], storeId: otherStore._id });
    const managerAuth = await bearer(manager.login);
    const outside = await request(app)
      .post('/api/v1/customers')
      .set(managerAuth)
      .send({ ...alice, phone: '13500135001', storeId: String(store._id), ownerId: String(far._id) });
    expect(outside.status).toBe(400);
    expect(outside.body.error.details.fields).toEqual({ ownerId: ['unknown_staff'] });
    const clerkAuth = await bearer(clerk.login);
    const elsewhere = await request(app)
      .post('/api/v1/customers')
      .set(clerkAuth)
      .send({ ...alice, phone: '13500135002', storeId: String(otherStore._id) })
      .expect(201);
    expect(elsewhere.body.storeId).toBe(String(store._id));
    const farCustomer = await createCustomer(org._id, { ownerId: far._id, storeId: otherStore._id });
    const dup = await request(app)
      .post('/api/v1/customers')
      .set(clerkAuth)
      .send({ ...alice, phone: farCustomer.phone });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('duplicate');
    expect(dup.body.error.existingId).toBeUndefined();
    expect(JSON.stringify(dup.body)).not.toContain(String(farCustomer._id));
  });

  it('refuses bad input with per-field details and writes nothing', async () => {
    const { clerk, org } = await createOrgWithTeam();
    const other = await createOrgWithTeam();
    const foreignTag = await createTag(other.org._id, { name: '外部标签' });
    const auth = await bearer(clerk.login);
    const nextYear = DateTime.now().plus({ years: 1 }).year;
    const cases: [Record<string, unknown>, string][] = [
      [{ ...alice, phone: '12345' }, 'phone'],
      [{ ...alice, birthday: { month: 2, day: 30 } }, 'birthday.day'],
      [{ ...alice, birthday: { year: 2023, month: 2, day: 29 } }, 'birthday.day'],
      [{ ...alice, birthday: { year: nextYear, month: 1, day: 1 } }, 'birthday'],
      [{ ...alice, name: '' }, 'name'],
      [{ ...alice, name: 'x'.repeat(61) }, 'name'],
      [{ ...alice, tagIds: ['0123456789abcdef01234567'] }, 'tagIds'],
      [{ ...alice, tagIds: [String(foreignTag._id)] }, 'tagIds'],
      [{ ...alice, relatives: [{ relation: '', name: '' }] }, 'relatives.0.relation'],
    ];
    for (const [body, field] of cases) {
      const res = await request(app).post('/api/v1/customers').set(auth).send(body);
      expect([field, res.status]).toEqual([field, 400]);
      expect(Object.keys(res.body.error.details.fields)).toContain(field);
    }
    const huge = await request(app)
      .post('/api/v1/customers')
      .set(auth)
      .send({ ...alice, name: 'x'.repeat(5 * 1024 * 1024) });
    expect(huge.status).toBe(413);
    expect(await Customer.countDocuments({ orgId: org._id })).toBe(0);
  });

  it('shows clerks their own customers, managers their store’s, marketers all, and nobody another organisation’s', async () => {
    const { org, store, otherStore, clerk, manager, marketer } = await createOrgWithTeam();
    const colleague = await createStaff(org._id, { roles: ['clerk'], storeId: store._id });
    const farClerk = await createStaff(org._id, { roles: ['clerk'], storeId: otherStore._id });
    const mine = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id });
    const colleagues = await createCustomer(org._id, { ownerId: colleague._id, storeId: store._id });
    const far = await createCustomer(org._id, { ownerId: farClerk._id, storeId: otherStore._id });
    const stranger = await createOrgWithTeam();
    const foreign = await createCustomer(stranger.org._id, { ownerId: stranger.clerk._id, storeId: stranger.store._id });

    const ids = async (login: string) =>
      (
        await request(app)
          .get('/api/v1/customers')
          .set(await bearer(login))
          .expect(200)
      ).body.items
        .map((c: { id: string }) => c.id)
        .sort();
    expect(await ids(clerk.login)).toEqual([String(mine._id)]);
    expect(await ids(manager.login)).toEqual([String(mine._id), String(colleagues._id)].sort());
    expect(await ids(marketer.login)).toEqual([String(mine._id), String(colleagues._id), String(far._id)].sort());

    const clerkAuth = await bearer(clerk.login);
    await request(app).get(`/api/v1/customers/${colleagues._id}`).set(clerkAuth).expect(404);
    await request(app).get(`/api/v1/customers/${foreign._id}`).set(clerkAuth).expect(404);
    await request(app)
      .patch(`/api/v1/customers/${foreign._id}`)
      .set(await bearer(marketer.login))
      .send({ name: 'x' })
      .expect(404);
  });

  it('shares a customer with a colleague, who then reads but cannot change it, until sharing stops', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    const colleague = await createStaff(org._id, { roles: ['clerk'], storeId: store._id });
    const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id });
    const owner = await bearer(clerk.login);
    const other = await bearer(colleague.login);
    await request(app).get(`/api/v1/customers/${customer._id}`).set(other).expect(404);
    await request(app)
      .post(`/api/v1/customers/${customer._id}/share`)
      .set(other)
      .send({ staffId: String(colleague._id), shared: true })
      .expect(404);
    const shared = await request(app)
      .post(`/api/v1/customers/${customer._id}/share`)
      .set(owner)
      .send({ staffId: String(colleague._id), shared: true })
      .expect(200);
    expect(shared.body.sharedWith).toEqual([String(colleague._id)]);
    await request(app).get(`/api/v1/customers/${customer._id}`).set(other).expect(200);
    expect((await request(app).get('/api/v1/customers').set(other).expect(200)).body.total).toBe(1);
    await request(app).patch(`/api/v1/customers/${customer._id}`).set(other).send({ notes: 'mine' }).expect(404);
    await request(app)
      .post(`/api/v1/customers/${customer._id}/share`)
      .set(owner)
      .send({ staffId: String(colleague._id), shared: false })
      .expect(200);
    await request(app).get(`/api/v1/customers/${customer._id}`).set(other).expect(404);
    const stranger = await createOrgWithTeam();
    const foreign = await request(app)
      .post(`/api/v1/customers/${customer._id}/share`)
      .set(owner)
      .send({ staffId: String(stranger.clerk._id), shared: true });
    expect(foreign.status).toBe(400);
  });

  it('a customer shared with a chat agent (the matrix lets agents receive shares) is one the agent reads, and only that one', async () => {
    const { org, store, clerk, agent } = await createOrgWithTeam();
    const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id });
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id });
    const agentAuth = await bearer(agent.login);
    await request(app)
      .post(`/api/v1/customers/${customer._id}/share`)
      .set(await bearer(clerk.login))
      .send({ staffId: String(agent._id), shared: true })
      .expect(200);
    await request(app).get(`/api/v1/customers/${customer._id}`).set(agentAuth).expect(200);
    const list = await request(app).get('/api/v1/customers').set(agentAuth).expect(200);
    expect(list.body.items.map((c: { id: string }) => c.id)).toEqual([String(customer._id)]);
    await request(app).patch(`/api/v1/customers/${customer._id}`).set(agentAuth).send({ notes: 'mine' }).expect(403);
  });

  it('updates with PATCH, keeping what was not sent, and records the change', async () => {
    const { clerk, org } = await createOrgWithTeam();
    const auth = await bearer(clerk.login);
    const created = await request(app).post('/api/v1/customers').set(auth).send(alice).expect(201);
    const res = await request(app).patch(`/api/v1/customers/${created.body.id}`).set(auth).send({ notes: '喜欢车厘子' }).expect(200);
    expect(res.body).toMatchObject({ notes: '喜欢车厘子', name: '王芳', relatives: [{ relation: '母亲', name: '李秀英' }] });
    const timeline = await request(app).get(`/api/v1/customers/${created.body.id}/timeline`).set(auth).expect(200);
    expect(timeline.body.items.map((e: { type: string }) => e.type)).toEqual(['customer.updated', 'customer.created']);
    expect(timeline.body.items[0].data.fields).toEqual(['notes']);
    expect(await TimelineEvent.countDocuments({ orgId: org._id })).toBe(1);
  });

  it('reveals a full number only to the personal-data permission, after the password, and audits it', async () => {
    const { org, store, clerk, manager } = await createOrgWithTeam();
    const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id });
    await request(app)
      .post(`/api/v1/customers/${customer._id}/reveal-phone`)
      .set(await bearer(clerk.login))
      .send({ confirmPassword: PASSWORD })
      .expect(403);
    const auth = await bearer(manager.login);
    const refused = await request(app).post(`/api/v1/customers/${customer._id}/reveal-phone`).set(auth).send({});
    expect(refused.body.error.code).toBe('step_up_required');
    const revealed = await request(app).post(`/api/v1/customers/${customer._id}/reveal-phone`).set(auth).send({ confirmPassword: PASSWORD }).expect(200);
    expect(revealed.body.phone).toBe(customer.phone);
    expect(await AuditEvent.countDocuments({ orgId: org._id, action: 'customer.phone_reveal', targetId: customer._id, actorId: manager._id })).toBe(1);
  });
});

describe('tags over the API', () => {
  it('creates tag groups, tags and untags customers, filters by all/any/none, and counts per tag', async () => {
    const { clerk, marketer, org, store } = await createOrgWithTeam();
    const marketing = await bearer(marketer.login);
    const group = await request(app)
      .post('/api/v1/tag-groups')
      .set(marketing)
      .send({ name: '年龄段', tags: ['20-30岁', '30-40岁'] });
    expect(group.status).toBe(201);
    const [young, middle] = group.body.tags.map((t: { id: string }) => t.id) as [string, string];
    const more = await request(app)
      .post(`/api/v1/tag-groups/${group.body.id}/tags`)
      .set(marketing)
      .send({ tags: ['白领'] })
      .expect(201);
    const office = more.body.tags[0].id as string;

    const auth = await bearer(clerk.login);
    const a = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: 'A' });
    const b = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: 'B' });
    const c = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: 'C' });
    await request(app)
      .post(`/api/v1/customers/${a._id}/tags`)
      .set(auth)
      .send({ add: [young, office] })
      .expect(200);
    const bulk = await request(app)
      .post('/api/v1/customers/bulk-tags')
      .set(auth)
      .send({ ids: [String(b._id), String(c._id)], add: [middle] });
    expect(bulk.body).toEqual({ updated: 2 });
    await request(app)
      .post(`/api/v1/customers/${c._id}/tags`)
      .set(auth)
      .send({ add: [office], remove: [middle] })
      .expect(200);

    const names = async (qs: string) => (await request(app).get(`/api/v1/customers?${qs}&sort=name`).set(auth).expect(200)).body;
    expect((await names(`tags=${young},${office}&match=all`)).items.map((x: { name: string }) => x.name)).toEqual(['A']);
    expect((await names(`tags=${young},${middle}&match=any`)).items.map((x: { name: string }) => x.name)).toEqual(['A', 'B']);
    expect((await names(`tags=${office}&match=none`)).items.map((x: { name: string }) => x.name)).toEqual(['B']);
    const all = await names('counts=true');
    expect(all.total).toBe(3);
    expect(all.tagCounts).toEqual({ [young]: 1, [middle]: 1, [office]: 2 });

    // Renaming shows everywhere at once; deleting removes the tag from every customer.
    await request(app).patch(`/api/v1/tags/${office}`).set(marketing).send({ name: '上班族' }).expect(200);
    const renamed = await request(app).get(`/api/v1/customers/${a._id}`).set(auth).expect(200);
    expect(renamed.body.tags.map((t: { name: string }) => t.name).sort()).toEqual(['20-30岁', '上班族']);
    const removed = await request(app).delete(`/api/v1/tags/${office}`).set(marketing).expect(200);
    expect(removed.body).toEqual({ customers: 2 });
    expect(await Customer.countDocuments({ orgId: org._id, tagIds: office })).toBe(0);
  });

  it('renames, recolours and reorders tag groups', async () => {
    const { marketer } = await createOrgWithTeam();
    const auth = await bearer(marketer.login);
    const first = await request(app).post('/api/v1/tag-groups').set(auth).send({ name: '一', tags: [] }).expect(201);
    await request(app).post('/api/v1/tag-groups').set(auth).send({ name: '二', tags: [] }).expect(201);
    const moved = await request(app)
      .patch(`/api/v1/tag-groups/${first.body.id}`)
      .set(auth)
      .send({ move: 'down', color: '#ff0000', name: '第一组' })
      .expect(200);
    expect(moved.body.groups.map((g: { name: string }) => g.name)).toEqual(['二', '第一组']);
    expect(moved.body.groups[1].color).toBe('#ff0000');
    const bad = await request(app).patch(`/api/v1/tag-groups/${first.body.id}`).set(auth).send({ color: 'red' });
    expect(bad.status).toBe(400);
  });

  it('validates a bulk change whole before writing anything', async () => {
    const { clerk, org, store } = await createOrgWithTeam();
    const colleague = await createStaff(org._id, { roles: ['clerk'], storeId: store._id });
    const auth = await bearer(clerk.login);
    const personal = await request(app).post('/api/v1/tags/personal').set(auth).send({ name: '爱运动' }).expect(201);
    const mine = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id });
    const theirs = await createCustomer(org._id, { ownerId: colleague._id, storeId: store._id });
    const res = await request(app)
      .post('/api/v1/customers/bulk-tags')
      .set(auth)
      .send({ ids: [String(mine._id), String(theirs._id)], add: [personal.body.id] });
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields).toEqual({ ids: ['unknown_customer'] });
    expect((await Customer.findOne({ orgId: org._id, _id: mine._id }).lean())?.tagIds).toEqual([]);
  });

  it('keeps personal tags personal and enterprise tags for admins and marketers', async () => {
    const { clerk, manager } = await createOrgWithTeam();
    const clerkAuth = await bearer(clerk.login);
    await request(app).post('/api/v1/tag-groups').set(clerkAuth).send({ name: 'x', tags: [] }).expect(403);
    const personal = await request(app).post('/api/v1/tags/personal').set(clerkAuth).send({ name: '老顾客' }).expect(201);
    const managerAuth = await bearer(manager.login);
    const seen = await request(app).get('/api/v1/tags').set(managerAuth).expect(200);
    expect(seen.body.personal).toEqual([]);
    await request(app).patch(`/api/v1/tags/${personal.body.id}`).set(managerAuth).send({ name: 'mine now' }).expect(404);
    const tooLong = await request(app)
      .post('/api/v1/tags/personal')
      .set(clerkAuth)
      .send({ name: 'x'.repeat(31) });
    expect(tooLong.status).toBe(400);
  });

  it('keeps the enterprise tag count right when adding a name that exists, and allows an empty group', async () => {
    const { marketer, org } = await createOrgWithTeam();
    const auth = await bearer(marketer.login);
    const group = await request(app)
      .post('/api/v1/tag-groups')
      .set(auth)
      .send({ name: '组', tags: ['VIP'] })
      .expect(201);
    for (let i = 0; i < 3; i++) {
      const res = await request(app)
        .post(`/api/v1/tag-groups/${group.body.id}/tags`)
        .set(auth)
        .send({ tags: [`新${i}`, 'VIP'] });
      expect(res.status).toBe(409);
    }
    await request(app).post('/api/v1/tag-groups').set(auth).send({ name: '空组', tags: [] }).expect(201);
    const { Organization } = await import('../../server/models/organization.js');
    const counted = (await Organization.findById(org._id).lean())?.counters.enterpriseTags;
    expect(counted).toBe(await Tag.countDocuments({ orgId: org._id, ownerId: null }));
  });

  it('holds the enterprise tag cap under concurrent creation', async () => {
    const { admin, marketer } = await createOrgWithTeam();
    const adminAuth = await bearer(admin.login);
    const settings = await request(app).patch('/api/v1/org/settings').set(adminAuth).send({ maxEnterpriseTags: 5, confirmPassword: PASSWORD });
    expect(settings.status).toBe(200);
    const auth = await bearer(marketer.login);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        request(app)
          .post('/api/v1/tag-groups')
          .set(auth)
          .send({ name: `组${i}`, tags: [`标签${i}`] }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(5);
    const refused = results.find((r) => r.status === 409);
    expect(refused?.body.error.code).toBe('tag_limit');
  });
});
