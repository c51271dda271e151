import { describe, expect, it, beforeAll } from '@jest/globals';
import type { Express } from 'express';
import { useTestDatabase } from '../setup/db.js';
import { buildTestApp, csrfFor, postForm, signIn } from '../setup/app.js';
import { createCustomer, createOrgWithTeam, PASSWORD, createTag, createTagGroup } from '../factories.js';
import { Customer } from '../../server/models/customer.js';
import { Tag, TagGroup } from '../../server/models/tag.js';
import { AuditEvent } from '../../server/models/audit-event.js';

useTestDatabase();

let app: Express;
beforeAll(async () => {
  ({ app } = await buildTestApp());
});

const form = {
  name: '陈小姐',
  phone: '13700137000',
  gender: 'female',
  birthdayMonth: '12',
  birthdayDay: '3',
  birthdayYear: '',
  relativeRelation: ['母亲', ''],
  relativeName: ['陈母', ''],
  relativeMonth: ['5', ''],
  relativeDay: ['20', ''],
  relativeYear: ['', ''],
  source: 'in_store',
  notes: '喜欢芒果',
};

describe('the customer pages', () => {
  it('lets a clerk add a customer with a relative and tags, then find her by tag', async () => {
    const { clerk, org } = await createOrgWithTeam();
    const group = await createTagGroup(org._id, { name: '偏好' });
    const mango = await createTag(org._id, { groupId: group._id, name: '芒果' });
    const agent = await signIn(app, clerk.login, PASSWORD);
    const created = await postForm(agent, '/customers/new', '/customers', { ...form, tagIds: [String(mango._id)] });
    expect(created.status).toBe(303);
    const stored = await Customer.findOne({ orgId: org._id, phoneTail: '7000' }).lean();
    expect(stored).toMatchObject({
      name: '陈小姐',
      ownerId: clerk._id,
      relatives: [{ relation: '母亲', name: '陈母', birthday: { month: 5, day: 20 } }],
      birthdayMds: [520, 1203],
    });
    expect(stored?.tagIds.map(String)).toEqual([String(mango._id)]);

    const detail = await agent.get(created.headers.location!).expect(200);
    expect(detail.text).toContain('陈小姐');
    expect(detail.text).toContain('137****7000');
    expect(detail.text).toContain('添加了客户');

    const found = await agent.get(`/customers?tags=${mango._id}&match=all`).expect(200);
    expect(found.text).toContain('陈小姐');
    // The counts per tag come on their own, for the same filter, when the page's tag filter opens.
    const countsUrl = found.text
      .match(/data-tag-counts-url="([^"]+)"/)![1]!
      .replaceAll('&amp;', '&')
      .replaceAll('&#x3D;', '=');
    expect(countsUrl).toBe(`/customers/tag-counts?q=&match=all&sort=updated&tags=${mango._id}`);
    expect((await agent.get(countsUrl).set('Accept', 'application/json').expect(200)).body).toEqual({ tagCounts: { [String(mango._id)]: 1 } });
    expect((await agent.get(`/customers/tag-counts?tags=${mango._id}&match=none`).expect(200)).body).toEqual({ tagCounts: {} });
    const none = await agent.get(`/customers?tags=${mango._id}&match=none`).expect(200);
    expect(none.text).not.toContain('陈小姐');
    const byTail = await agent.get('/customers?q=7000').expect(200);
    expect(byTail.text).toContain('陈小姐');
  });

  it('lets a manager filter by owner and sort by name', async () => {
    const { org, store, clerk, manager } = await createOrgWithTeam();
    const other = await (await import('../factories.js')).createStaff(org._id, { roles: ['clerk'], storeId: store._id });
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: 'Bob' });
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: 'Amy' });
    await createCustomer(org._id, { ownerId: other._id, storeId: store._id, name: '别人的' });
    const agent = await signIn(app, manager.login, PASSWORD);
    const page = await agent.get(`/customers?owner=${clerk._id}&sort=name`).expect(200);
    expect(page.text).toContain('id="f-owner"');
    expect(page.text).not.toContain('别人的');
    expect(page.text.indexOf('>Amy<')).toBeLessThan(page.text.indexOf('>Bob<'));
  });

  it('tags a selection from the list, and explains when nothing was chosen', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    const vip = await createTag(org._id, { name: 'VIP' });
    const a = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '选中' });
    const agent = await signIn(app, clerk.login, PASSWORD);
    const empty = await postForm(agent, '/customers', '/customers/bulk-tags', { back: '/customers', mode: 'add' });
    expect(empty.status).toBe(303);
    expect((await agent.get('/customers').expect(200)).text).toContain('请先勾选客户');
    const done = await postForm(agent, '/customers', '/customers/bulk-tags', {
      back: '/customers',
      mode: 'add',
      ids: [String(a._id)],
      tagId: [String(vip._id)],
    });
    expect(done.status).toBe(303);
    expect((await Customer.findOne({ orgId: org._id, _id: a._id }).lean())?.tagIds.map(String)).toEqual([String(vip._id)]);
  });

  it('lets the owner share a customer with a colleague from the customer page', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    const colleague = await (await import('../factories.js')).createStaff(org._id, { roles: ['clerk'], storeId: store._id });
    const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '共享的客户' });
    const owner = await signIn(app, clerk.login, PASSWORD);
    const shared = await postForm(owner, `/customers/${customer._id}`, `/customers/${customer._id}/share`, { staffId: String(colleague._id), shared: 'true' });
    expect(shared.status).toBe(303);
    const other = await signIn(app, colleague.login, PASSWORD);
    const page = await other.get(`/customers/${customer._id}`).expect(200);
    expect(page.text).toContain('共享的客户');
    expect(page.text).not.toContain(`/customers/${customer._id}/edit`);
  });

  it('keeps numbers masked on the edit form and keeps the stored number when it comes back unchanged', async () => {
    const { org, store, clerk, marketer } = await createOrgWithTeam();
    const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '改名前' });
    const agent = await signIn(app, marketer.login, PASSWORD);
    const page = await agent.get(`/customers/${customer._id}/edit`).expect(200);
    const masked = `${customer.phone.slice(3, 6)}****${customer.phone.slice(-4)}`;
    expect(page.text).toContain(`value="${masked}"`);
    expect(page.text).not.toContain(customer.phone.slice(3));
    const saved = await postForm(agent, `/customers/${customer._id}/edit`, `/customers/${customer._id}`, {
      name: '改名后',
      phone: masked,
      gender: 'unknown',
      source: 'in_store',
    });
    expect(saved.status).toBe(303);
    expect(await Customer.findOne({ orgId: org._id, _id: customer._id }).lean()).toMatchObject({ name: '改名后', phone: customer.phone });
  });

  it('shows bad input again with what was typed, including relatives, and writes nothing', async () => {
    const { clerk, org } = await createOrgWithTeam();
    const agent = await signIn(app, clerk.login, PASSWORD);
    const res = await postForm(agent, '/customers/new', '/customers', { ...form, phone: '123', birthdayMonth: '2', birthdayDay: '30' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('手机号无效');
    expect(res.text).toContain('日期不存在');
    expect(res.text).toContain('value="陈母"');
    expect(res.text).toContain('喜欢芒果');
    expect(await Customer.countDocuments({ orgId: org._id })).toBe(0);
  });

  it('offers the existing customer instead of creating a duplicate', async () => {
    const { clerk, org, store } = await createOrgWithTeam();
    const existing = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '老客户' });
    const agent = await signIn(app, clerk.login, PASSWORD);
    const res = await postForm(agent, '/customers/new', '/customers', { ...form, phone: existing.phone });
    expect(res.status).toBe(409);
    expect(res.text).toContain(`href="/customers/${existing._id}"`);
    expect(await Customer.countDocuments({ orgId: org._id })).toBe(1);
  });

  it('reveals a number to a manager after the password prompt, and audits it', async () => {
    const { manager, clerk, org, store } = await createOrgWithTeam();
    const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id });
    const agent = await signIn(app, manager.login, PASSWORD);
    const prompt = await postForm(agent, `/customers/${customer._id}`, `/customers/${customer._id}/reveal-phone`, {});
    expect(prompt.status).toBe(403);
    expect(prompt.text).toContain('name="confirmPassword"');
    const token = await csrfFor(agent, `/customers/${customer._id}`);
    const revealed = await agent.post(`/customers/${customer._id}/reveal-phone`).type('form').send({ _csrf: token, confirmPassword: PASSWORD });
    expect(revealed.status).toBe(200);
    expect(revealed.text).toContain(customer.phone);
    expect(await AuditEvent.countDocuments({ orgId: org._id, action: 'customer.phone_reveal' })).toBe(1);
    const clerkAgent = await signIn(app, clerk.login, PASSWORD);
    expect((await clerkAgent.get(`/customers/${customer._id}`).expect(200)).text).not.toContain('查看完整手机号');
  });

  it('lets a marketer create a tag group, rename a tag, and delete it after seeing how many carry it', async () => {
    const { marketer, clerk, org, store } = await createOrgWithTeam();
    const agent = await signIn(app, marketer.login, PASSWORD);
    const created = await postForm(agent, '/tags', '/tags/groups', { name: '职业', tags: '白领，学生\n宝妈', color: '#198754' });
    expect(created.status).toBe(303);
    const tags = await Tag.find({ orgId: org._id }).sort({ order: 1 }).lean();
    expect(tags.map((t) => t.name)).toEqual(['白领', '学生', '宝妈']);
    const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id });
    await Customer.updateOne({ orgId: org._id, _id: customer._id }, { $set: { tagIds: [tags[0]!._id] } });

    const edit = await agent.get(`/tags/${tags[0]!._id}/edit`).expect(200);
    expect(edit.text).toMatch(/从 1 位客户身上移除/);
    await postForm(agent, `/tags/${tags[0]!._id}/edit`, `/tags/${tags[0]!._id}`, { name: '上班族' }).then((r) => expect(r.status).toBe(303));
    expect((await Tag.findOne({ orgId: org._id, _id: tags[0]!._id }).lean())?.name).toBe('上班族');
    const tooLong = await postForm(agent, `/tags/${tags[0]!._id}/edit`, `/tags/${tags[0]!._id}`, { name: 'x'.repeat(31) });
    expect(tooLong.status).toBe(400);
    await postForm(agent, `/tags/${tags[0]!._id}/edit`, `/tags/${tags[0]!._id}/delete`, {}).then((r) => expect(r.status).toBe(303));

    await postForm(agent, '/tags', '/tags/groups', { name: '年龄', tags: '' }).then((r) => expect(r.status).toBe(303));
    const first = await TagGroup.findOne({ orgId: org._id, name: '职业' }).lean();
    await postForm(agent, '/tags', `/tags/groups/${first!._id}`, { move: 'down' }).then((r) => expect(r.status).toBe(303));
    const page = (await agent.get('/tags').expect(200)).text;
    expect(page.indexOf('年龄')).toBeLessThan(page.indexOf('职业'));
    expect((await Customer.findOne({ orgId: org._id, _id: customer._id }).lean())?.tagIds).toEqual([]);
  });

  it('does not let a clerk manage enterprise tags', async () => {
    const { clerk } = await createOrgWithTeam();
    const agent = await signIn(app, clerk.login, PASSWORD);
    const page = await agent.get('/tags').expect(200);
    expect(page.text).not.toContain('action="/tags/groups"');
    const res = await postForm(agent, '/tags', '/tags/groups', { name: 'x', tags: 'y' });
    expect(res.status).toBe(403);
  });
});
