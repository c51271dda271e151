import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { Types } from 'mongoose';
import { useTestDatabase } from '../setup/db.js';
import { mediaFiles, pngBytes } from '../setup/social.js';
import { bearerFor, buildTestApp } from '../setup/app.js';
import { createCustomer, createOrg, createStaff, createStore, PASSWORD } from '../factories.js';
import { useFrozenClock } from '../setup/clock.js';
import { SocialPost, Delivery } from '../../server/models/social-post.js';
import { GroupMember } from '../../server/models/customer-group.js';
import { Campaign, CampaignTask } from '../../server/models/campaign.js';
import { UsageCounter } from '../../server/models/usage-counter.js';
import { fireDueCampaigns } from '../../server/services/campaigns/campaigns.js';
import { socialLimits, type OrgSettings } from '../../server/domain/settings.js';

let server: http.Server | undefined;
useTestDatabase({
  beforeClose: async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  },
});

// 10:00 on 1 December 2026 in Shanghai (the default timezone): the day ends at 16:00 UTC, 14 hours later.
const NOW = new Date('2026-12-01T02:00:00Z');
const DAY_ENDS = '2026-12-01T16:00:00.000Z';
const SECONDS_LEFT_TODAY = 14 * 3600;

/** One listening server, so fifty simultaneous requests share it the way real clients would. */
let baseUrl: string;
beforeAll(async () => {
  const { app } = await buildTestApp();
  server = http.createServer(app);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
const clock = useFrozenClock(NOW);

const api = () => request(baseUrl);
const bearer = (login: string) => bearerFor(baseUrl, login, PASSWORD);

/** An organisation with the given settings, a store, two clerks, a manager, a marketer and an admin. */
async function team(settings: Partial<OrgSettings> = {}) {
  const org = await createOrg(settings);
  const store = await createStore(org._id);
  const [clerk, clerk2, manager, marketer, admin] = await Promise.all([
    createStaff(org._id, { roles: ['clerk'], storeId: store._id }),
    createStaff(org._id, { roles: ['clerk'], storeId: store._id }),
    createStaff(org._id, { roles: ['manager'], storeId: store._id }),
    createStaff(org._id, { roles: ['marketer'] }),
    createStaff(org._id, { roles: ['admin'] }),
  ]);
  return { org, store, clerk: clerk!, clerk2: clerk2!, manager: manager!, marketer: marketer!, admin: admin! };
}

async function customersOf(orgId: Types.ObjectId, owner: { _id: Types.ObjectId; storeId?: Types.ObjectId | null }, count: number) {
  return Promise.all(Array.from({ length: count }, () => createCustomer(orgId, { ownerId: owner._id, storeId: owner.storeId ?? null })));
}

async function uploadPng(auth: { Authorization: string }): Promise<string> {
  const res = await api()
    .post('/api/v1/media')
    .set(auth)
    .set('Content-Type', 'image/png')
    .send(await pngBytes());
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function createGroup(auth: { Authorization: string }, body: Record<string, unknown> = {}) {
  const res = await api()
    .post('/api/v1/groups')
    .set(auth)
    .send({ name: '水果群', ...body });
  expect(res.status).toBe(201);
  return res.body as { id: string; cap: number; memberCount: number };
}

async function addMembers(auth: { Authorization: string }, groupId: string, customers: { _id: Types.ObjectId }[]) {
  for (const customer of customers)
    await api()
      .post(`/api/v1/groups/${groupId}/members`)
      .set(auth)
      .send({ customerId: String(customer._id) })
      .expect(201);
}

describe('moments quota', () => {
  it('lets exactly the quota through when fifty publishes arrive at once; the rest get 429 quota_exceeded with Retry-After', async () => {
    const { org, clerk } = await team({ momentsPerStaffPerDay: 3 });
    await customersOf(org._id, clerk, 2);
    const auth = await bearer(clerk.login);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        api()
          .post('/api/v1/moments')
          .set(auth)
          .send({ text: `上新了 ${i}` }),
      ),
    );
    const created = answers.filter((r) => r.status === 201);
    const refused = answers.filter((r) => r.status === 429);
    expect(created).toHaveLength(3);
    expect(refused).toHaveLength(47);
    for (const res of refused) {
      expect(res.body.error).toMatchObject({ code: 'quota_exceeded', details: { retryAfterSeconds: SECONDS_LEFT_TODAY, resetsAt: DAY_ENDS } });
      expect(res.headers['retry-after']).toBe(String(SECONDS_LEFT_TODAY));
    }
    expect(created[0]!.body).toMatchObject({
      kind: 'moment',
      authorId: String(clerk._id),
      authorName: clerk.realName,
      stats: { audience: 2, reached: 2, heldBack: 0 },
    });
    expect(await SocialPost.countDocuments({ orgId: org._id, kind: 'moment' })).toBe(3);
    const quota = await api().get('/api/v1/moments/quota').set(auth).expect(200);
    expect(quota.body).toEqual({ limit: 3, used: 3, left: 0, resetsAt: DAY_ENDS });
  });

  it('starts again the next day in the organisation timezone', async () => {
    const { clerk } = await team({ momentsPerStaffPerDay: 1 });
    const auth = await bearer(clerk.login);
    await api().post('/api/v1/moments').set(auth).send({ text: '一' }).expect(201);
    await api().post('/api/v1/moments').set(auth).send({ text: '二' }).expect(429);
    clock.set(DAY_ENDS);
    expect((await api().get('/api/v1/moments/quota').set(auth).expect(200)).body).toMatchObject({ limit: 1, used: 0, left: 1 });
    await api().post('/api/v1/moments').set(auth).send({ text: '二' }).expect(201);
  });

  it('follows the organisation setting an admin changes through PATCH /org/settings', async () => {
    const { clerk, admin } = await team();
    const adminAuth = await bearer(admin.login);
    const tooMany = await api().patch('/api/v1/org/settings').set(adminAuth).send({ momentsPerStaffPerDay: 11, confirmPassword: PASSWORD });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.details.fields).toEqual({ momentsPerStaffPerDay: ['out_of_range'] });
    await api().patch('/api/v1/org/settings').set(adminAuth).send({ momentsPerStaffPerDay: 1, confirmPassword: PASSWORD }).expect(200);
    const auth = await bearer(clerk.login);
    expect((await api().get('/api/v1/moments/quota').set(auth).expect(200)).body).toMatchObject({ limit: 1, left: 1 });
    await api().post('/api/v1/moments').set(auth).send({ text: '一' }).expect(201);
    expect((await api().post('/api/v1/moments').set(auth).send({ text: '二' })).body.error.code).toBe('quota_exceeded');
  });

  it('lists moments newest first, pages with before=<id>, and shows one with its held-back reasons', async () => {
    const { clerk, clerk2 } = await team({ momentsPerStaffPerDay: 3 });
    const auth = await bearer(clerk.login);
    const ids: string[] = [];
    for (const text of ['一', '二', '三']) ids.push((await api().post('/api/v1/moments').set(auth).send({ text }).expect(201)).body.id);
    const first = await api().get('/api/v1/moments?limit=2').set(auth).expect(200);
    expect(first.body.items.map((m: { id: string }) => m.id)).toEqual([ids[2], ids[1]]);
    expect(first.body.nextBefore).toBe(ids[1]);
    const second = await api().get(`/api/v1/moments?limit=2&before=${first.body.nextBefore}`).set(auth).expect(200);
    expect(second.body).toEqual({ items: [expect.objectContaining({ id: ids[0], text: '一' })], nextBefore: null });
    const detail = await api().get(`/api/v1/moments/${ids[0]}`).set(auth).expect(200);
    expect(detail.body).toMatchObject({ id: ids[0], heldBack: { customer_cap: 0, contact_budget: 0 }, likedBy: [], comments: [] });
    // Another clerk's moments are out of a clerk's reach.
    await api()
      .get(`/api/v1/moments/${ids[0]}`)
      .set(await bearer(clerk2.login))
      .expect(404);
  });
});

describe('group member cap', () => {
  it('admits exactly the cap when twenty customers are added at once; the rest get 409 group_full', async () => {
    const { org, clerk } = await team();
    const auth = await bearer(clerk.login);
    const group = await createGroup(auth, { cap: 5 });
    expect(group).toMatchObject({ cap: 5, memberCount: 0 });
    const customers = await customersOf(org._id, clerk, 20);
    const answers = await Promise.all(
      customers.map((c) =>
        api()
          .post(`/api/v1/groups/${group.id}/members`)
          .set(auth)
          .send({ customerId: String(c._id) }),
      ),
    );
    // Compared as one list, so a failure names what each of the twenty got (a timeout, a conflict) and not only a count.
    const outcomes = answers.map((r) => (r.status === 201 ? '201 joined' : `${r.status} ${r.body?.error?.code ?? ''}`)).sort();
    expect(outcomes).toEqual([...Array<string>(5).fill('201 joined'), ...Array<string>(15).fill('409 group_full')]);
    const full = answers.filter((r) => r.status === 409);
    for (const res of full) expect(res.body.error).toMatchObject({ code: 'group_full', details: { cap: 5, followOnGroupId: null } });
    expect(await GroupMember.countDocuments({ orgId: org._id, groupId: group.id })).toBe(5);
    const stored = await api().get(`/api/v1/groups/${group.id}`).set(auth).expect(200);
    expect(stored.body).toMatchObject({ memberCount: 5, full: true });

    // A member added again is no new member; a follow-on group is offered in the refusal once it exists.
    const member = answers.findIndex((r) => r.status === 201);
    expect(
      (
        await api()
          .post(`/api/v1/groups/${group.id}/members`)
          .set(auth)
          .send({ customerId: String(customers[member]!._id) })
      ).body,
    ).toEqual({ joined: false });
    const followOn = await api().post(`/api/v1/groups/${group.id}/follow-on`).set(auth).expect(201);
    expect(followOn.body).toMatchObject({ name: '水果群 2', cap: 5, memberCount: 0 });
    const refused = await api()
      .post(`/api/v1/groups/${group.id}/members`)
      .set(auth)
      .send({ customerId: String(customers[answers.findIndex((r) => r.status === 409)]!._id) })
      .expect(409);
    expect(refused.body.error.details).toEqual({ cap: 5, followOnGroupId: followOn.body.id });
  });

  it('lists, pages and removes members, counts joins and leaves per day, and changes the group with a partial PATCH', async () => {
    const { org, clerk } = await team();
    const auth = await bearer(clerk.login);
    const group = await createGroup(auth, { notice: '每周五上新' });
    const customers = await customersOf(org._id, clerk, 3);
    await addMembers(auth, group.id, customers);
    const page = await api().get(`/api/v1/groups/${group.id}/members?limit=2&skip=0`).set(auth).expect(200);
    expect(page.body).toMatchObject({ total: 3, limit: 2, skip: 0 });
    expect(page.body.items).toHaveLength(2);
    expect(page.body.items[0]).toEqual({
      customerId: expect.any(String),
      name: expect.any(String),
      phoneTail: expect.any(String),
      via: 'staff',
      joinedAt: expect.any(String),
    });
    await api()
      .delete(`/api/v1/groups/${group.id}/members/${String(customers[0]!._id)}`)
      .set(auth)
      .expect(204);
    await api()
      .delete(`/api/v1/groups/${group.id}/members/${String(customers[0]!._id)}`)
      .set(auth)
      .expect(404);
    expect((await api().get(`/api/v1/groups/${group.id}/stats`).set(auth).expect(200)).body).toEqual({ items: [{ day: '2026-12-01', joins: 3, leaves: 1 }] });
    const patched = await api().patch(`/api/v1/groups/${group.id}`).set(auth).send({ name: '水果群 VIP' }).expect(200);
    expect(patched.body).toMatchObject({ name: '水果群 VIP', notice: '每周五上新', memberCount: 2, ownCap: null, cap: 600 });
    const capped = await api().patch(`/api/v1/groups/${group.id}`).set(auth).send({ cap: 2001 });
    expect(capped.status).toBe(400);
    expect(capped.body.error.details.fields).toEqual({ cap: ['out_of_range'] });
    const archived = await api().post(`/api/v1/groups/${group.id}/archive`).set(auth).expect(200);
    expect(archived.body.status).toBe('archived');
    // An archived group takes no posts and no members.
    expect((await api().post(`/api/v1/groups/${group.id}/posts`).set(auth).send({ text: '还在吗' })).status).toBe(404);
    expect(
      (
        await api()
          .post(`/api/v1/groups/${group.id}/members`)
          .set(auth)
          .send({ customerId: String(customers[0]!._id) })
      ).status,
    ).toBe(404);
    expect(await SocialPost.countDocuments({ orgId: org._id, groupId: group.id })).toBe(0);
    expect((await api().get('/api/v1/groups').set(auth).expect(200)).body.items).toEqual([]);
    expect((await api().get('/api/v1/groups?status=archived').set(auth).expect(200)).body.items).toEqual([expect.objectContaining({ id: group.id })]);
  });
});

describe('customer daily cap', () => {
  it('publishes the third moment of the day but holds it back from customers who already saw two', async () => {
    const { org, clerk } = await team({ momentsPerCustomerPerDay: 2, momentsPerStaffPerDay: 5 });
    await customersOf(org._id, clerk, 3);
    const auth = await bearer(clerk.login);
    for (const text of ['一', '二']) {
      const res = await api().post('/api/v1/moments').set(auth).send({ text }).expect(201);
      expect(res.body.stats).toMatchObject({ audience: 3, reached: 3, heldBack: 0 });
    }
    const third = await api().post('/api/v1/moments').set(auth).send({ text: '三' });
    expect(third.status).toBe(201);
    expect(third.body.stats).toMatchObject({ audience: 3, reached: 0, heldBack: 3 });
    const detail = await api().get(`/api/v1/moments/${third.body.id}`).set(auth).expect(200);
    expect(detail.body.heldBack).toEqual({ customer_cap: 3, contact_budget: 0 });
    expect(await Delivery.countDocuments({ orgId: org._id, postId: third.body.id, shown: false, heldReason: 'customer_cap' })).toBe(3);
  });
});

describe('contact budget', () => {
  async function clerkWithMember(settings: Partial<OrgSettings>) {
    const { org, clerk } = await team(settings);
    const [customer] = await customersOf(org._id, clerk, 1);
    const auth = await bearer(clerk.login);
    const group = await createGroup(auth);
    await addMembers(auth, group.id, [customer!]);
    return { org, auth, group, customer: customer! };
  }

  it('counts moments and group posts together: a group post is shown to its members whatever the day holds, and holds back the moment after it', async () => {
    const { org, auth, group, customer } = await clerkWithMember({ contactBudgetPerDay: 2 });
    const none = { customer_cap: 0, contact_budget: 0 };
    expect((await api().get('/api/v1/moments/reach').set(auth).expect(200)).body).toEqual({
      audience: 1,
      reached: 1,
      heldBack: 0,
      heldBackBy: none,
      sentence: '将送达 1 人，未展示 0 人。',
    });
    const moment = await api().post('/api/v1/moments').set(auth).send({ text: '早安' }).expect(201);
    expect(moment.body.stats).toMatchObject({ reached: 1, heldBack: 0 });
    expect(moment.body.reach).toEqual({ audience: 1, reached: 1, heldBack: 0, heldBackBy: none, sentence: '送达 1 人，未展示 0 人。' });
    expect((await api().post(`/api/v1/groups/${group.id}/posts`).set(auth).send({ text: '今日特价' }).expect(201)).body.stats).toMatchObject({
      reached: 1,
      heldBack: 0,
    });

    // The day's two touches are spent: the group still reaches its member, and the preview said so first.
    const preview = await api().get(`/api/v1/groups/${group.id}/reach`).set(auth).expect(200);
    expect(preview.body).toMatchObject({ audience: 1, reached: 1, heldBack: 0, heldBackBy: none, allowance: { left: 30, nextAllowedAt: null } });
    const third = await api().post(`/api/v1/groups/${group.id}/posts`).set(auth).send({ text: '再来一条' }).expect(201);
    expect(third.body.stats).toMatchObject({ audience: 1, reached: 1, heldBack: 0 });
    expect(third.body.reach).toMatchObject({ reached: 1, heldBack: 0 });
    expect(await Delivery.findOne({ orgId: org._id, postId: third.body.id, customerId: customer._id }).lean()).toMatchObject({ shown: true, heldReason: null });

    // A moment now is held back, and both the preview and the answer say why.
    const held = { audience: 1, reached: 0, heldBack: 1, heldBackBy: { customer_cap: 0, contact_budget: 1 } };
    expect((await api().get('/api/v1/moments/reach').set(auth).expect(200)).body).toMatchObject({
      ...held,
      sentence: '将送达 0 人，未展示 1 人（1 人今天的联系次数已满）。',
    });
    const late = await api().post('/api/v1/moments').set(auth).send({ text: '晚安' }).expect(201);
    expect(late.body.reach).toMatchObject(held);
    expect(await Delivery.findOne({ orgId: org._id, postId: late.body.id, customerId: customer._id }).lean()).toMatchObject({
      shown: false,
      heldReason: 'contact_budget',
    });
    const posts = await api().get(`/api/v1/groups/${group.id}/posts`).set(auth).expect(200);
    expect(posts.body.items.map((p: { id: string }) => p.id)[0]).toBe(third.body.id);
  });

  it("previews a campaign's reach as of now, and a saved one's; keeps previews to those who may post", async () => {
    const { org, store, clerk, marketer } = await team({ contactBudgetPerDay: 1 });
    await customersOf(org._id, clerk, 2);
    const marketing = await bearer(marketer.login);
    const draft = await api()
      .get(`/api/v1/campaigns/reach?kind=moment&storeIds=${String(store._id)}`)
      .set(marketing)
      .expect(200);
    expect(draft.body).toMatchObject({ audience: 2, reached: 2, heldBack: 0, targets: 2, asOf: NOW.toISOString() });
    expect(draft.body.sentence).toBe('按现在（2026-12-01 10:00）计算：将送达 2 人，未展示 0 人。店员发布时以当时的实际情况为准。');
    const created = await api()
      .post('/api/v1/campaigns')
      .set(marketing)
      .send({ title: '周末', kind: 'moment', text: '周末特价', storeIds: [String(store._id)], publishAt: '2026-12-01T12:00' })
      .expect(201);
    expect(created.body.reach).toMatchObject({ audience: 2, reached: 2, asOf: NOW.toISOString() });
    const clerkAuth = await bearer(clerk.login);
    await api().post('/api/v1/moments').set(clerkAuth).send({ text: '早安' }).expect(201);
    expect(
      (
        await api()
          .get(`/api/v1/campaigns/${String(created.body.id)}/reach`)
          .set(marketing)
          .expect(200)
      ).body,
    ).toMatchObject({ reached: 0, heldBack: 2, heldBackBy: { contact_budget: 2 } });
    await api().get('/api/v1/campaigns/reach?kind=moment').set(clerkAuth).expect(403);
    await api().get('/api/v1/moments/reach').set(marketing).expect(403);
    // The firing job looks at every organisation: a campaign left scheduled would fire in another test.
    await api()
      .delete(`/api/v1/campaigns/${String(created.body.id)}`)
      .set(marketing)
      .expect(204);
  });

  it('is off at 0: every touch reaches the customer', async () => {
    const { auth, group } = await clerkWithMember({ contactBudgetPerDay: 0 });
    expect((await api().post('/api/v1/moments').set(auth).send({ text: '早安' }).expect(201)).body.stats).toMatchObject({ reached: 1 });
    for (const text of ['一', '二', '三', '四']) {
      expect((await api().post(`/api/v1/groups/${group.id}/posts`).set(auth).send({ text }).expect(201)).body.stats).toMatchObject({ reached: 1, heldBack: 0 });
    }
  });
});

describe('group posts', () => {
  it('refuses the second post of the day under day_1 with 429 group_post_limit, Retry-After and when it is allowed; nothing written', async () => {
    const { org, clerk } = await team({ massMessagePolicy: 'day_1' });
    const auth = await bearer(clerk.login);
    const group = await createGroup(auth);
    await addMembers(auth, group.id, await customersOf(org._id, clerk, 2));
    expect((await api().get(`/api/v1/groups/${group.id}/allowance`).set(auth).expect(200)).body).toEqual({
      limit: 1,
      used: 0,
      left: 1,
      nextAllowedAt: null,
      policy: 'day_1',
    });
    await api().post(`/api/v1/groups/${group.id}/posts`).set(auth).send({ text: '今日特价', link: 'https://shop.example.com/a' }).expect(201);
    const second = await api().post(`/api/v1/groups/${group.id}/posts`).set(auth).send({ text: '再来一条' });
    expect(second.status).toBe(429);
    expect(second.headers['retry-after']).toBe(String(SECONDS_LEFT_TODAY));
    expect(second.body.error).toMatchObject({
      code: 'group_post_limit',
      details: { retryAfterSeconds: SECONDS_LEFT_TODAY, nextAllowedAt: DAY_ENDS, nextAllowedLocal: '2026-12-02 00:00' },
    });
    expect(await SocialPost.countDocuments({ orgId: org._id, groupId: group.id })).toBe(1);
    expect(await Delivery.countDocuments({ orgId: org._id, groupId: group.id })).toBe(2);
    expect((await api().get(`/api/v1/groups/${group.id}/allowance`).set(auth).expect(200)).body).toMatchObject({ left: 0, nextAllowedAt: DAY_ENDS });
  });
});

describe('bad input', () => {
  it('answers 400 with the field for each bad moment, writes nothing and spends no quota', async () => {
    const { org, clerk } = await team();
    const other = await team();
    await customersOf(org._id, clerk, 1);
    const auth = await bearer(clerk.login);
    const otherAdmin = await bearer(other.admin.login);
    const otherTags = await api()
      .post('/api/v1/tag-groups')
      .set(otherAdmin)
      .send({ name: '偏好', tags: ['爱吃水果'] })
      .expect(201);
    const foreignTag = otherTags.body.tags[0].id as string;
    const foreignImage = await uploadPng(await bearer(other.clerk.login));
    const ownImage = await uploadPng(auth);
    const cases: [Record<string, unknown>, Record<string, string[]>][] = [
      [{ text: '' }, { text: ['required'] }],
      [{ text: '   ' }, { text: ['required'] }],
      [{ text: 'x'.repeat(socialLimits.postTextMax + 1) }, { text: ['too_long'] }],
      [{ text: '图多', imageIds: Array.from({ length: 10 }, () => ownImage) }, { imageIds: ['too_many_images'] }],
      [{ text: '链接', link: 'javascript:alert(1)' }, { link: ['link'] }],
      [{ text: '链接', link: 'ftp://example.com/x' }, { link: ['link'] }],
      [{ text: '标签', audience: { tags: [foreignTag] } }, { tagIds: ['unknown_tag'] }],
      [{ text: '图片', imageIds: [foreignImage] }, { imageIds: ['unknown_image'] }],
      [{ text: '图片', imageIds: ['not-an-id'] }, { imageIds: ['unknown_image'] }],
    ];
    for (const [body, fields] of cases) {
      const res = await api().post('/api/v1/moments').set(auth).send(body);
      expect({ body, status: res.status, code: res.body.error?.code }).toEqual({ body, status: 400, code: 'invalid_input' });
      expect(res.body.error.details.fields).toEqual(fields);
    }
    expect(await SocialPost.countDocuments({ orgId: org._id })).toBe(0);
    expect(await Delivery.countDocuments({ orgId: org._id })).toBe(0);
    expect((await api().get('/api/v1/moments/quota').set(auth).expect(200)).body).toMatchObject({ used: 0, left: 3 });
    expect(await UsageCounter.countDocuments({ orgId: org._id })).toBe(0);
  });

  it('refuses non-image bytes and oversized uploads to /media without storing anything', async () => {
    const { org, clerk } = await team();
    const auth = await bearer(clerk.login);
    // A text file that claims to be a JPEG: the bytes decide.
    const text = await api().post('/api/v1/media').set(auth).set('Content-Type', 'image/jpeg').send(Buffer.from('name,phone\n王芳,13800138000\n'));
    expect(text.status).toBe(400);
    expect(text.body.error).toMatchObject({ code: 'invalid_input', details: { fields: { images: ['image_type'] } } });
    const empty = await api().post('/api/v1/media').set(auth).set('Content-Type', 'image/png').send(Buffer.alloc(0));
    expect(empty.status).toBe(400);
    const big = await api()
      .post('/api/v1/media')
      .set(auth)
      .set('Content-Type', 'image/png')
      .send(Buffer.concat([await pngBytes(), Buffer.alloc(socialLimits.imageMaxBytes)]));
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('payload_too_large');
    expect(await mediaFiles(org._id)).toBe(0);
  });

  it('refuses a campaign in the past, a bad date and a tag of another organisation', async () => {
    const { org, marketer } = await team();
    const other = await team();
    const auth = await bearer(marketer.login);
    const foreignTag = (
      await api()
        .post('/api/v1/tag-groups')
        .set(await bearer(other.marketer.login))
        .send({ name: '偏好', tags: ['爱吃水果'] })
        .expect(201)
    ).body.tags[0].id as string;
    const foreign = await api()
      .post('/api/v1/campaigns')
      .set(auth)
      .send({ kind: 'moment', title: '双十二', text: '全场八折', tagIds: [foreignTag], publishAt: '2026-12-02T10:00' });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.details.fields).toEqual({ tagIds: ['unknown_tag'] });
    const base = { kind: 'moment', title: '双十二', text: '全场八折' };
    const past = await api()
      .post('/api/v1/campaigns')
      .set(auth)
      .send({ ...base, publishAt: '2026-12-01T09:59' });
    expect(past.status).toBe(400);
    expect(past.body.error.details.fields).toEqual({ publishAt: ['in_past'] });
    const pastInstant = await api()
      .post('/api/v1/campaigns')
      .set(auth)
      .send({ ...base, publishAt: '2026-12-01T01:00:00Z' });
    expect(pastInstant.body.error.details.fields).toEqual({ publishAt: ['in_past'] });
    const bad = await api()
      .post('/api/v1/campaigns')
      .set(auth)
      .send({ ...base, publishAt: '2026-02-30T10:00' });
    expect(bad.body.error.details.fields).toEqual({ publishAt: ['invalid_date'] });
    const groupsWithTags = await api()
      .post('/api/v1/campaigns')
      .set(auth)
      .send({ ...base, kind: 'group', tagIds: [String(org._id)], publishAt: '2026-12-02T10:00' });
    expect(groupsWithTags.body.error.details.fields).toEqual({ tagIds: ['not_for_groups'] });
    expect(await Campaign.countDocuments({ orgId: org._id })).toBe(0);
  });
});

describe('permissions and tenancy', () => {
  it('keeps each role to its actions and each organisation to its own records', async () => {
    const { org, clerk, clerk2, marketer, manager } = await team();
    const other = await team();
    const clerkAuth = await bearer(clerk.login);
    const marketerAuth = await bearer(marketer.login);
    const group = await createGroup(clerkAuth);
    const moment = (await api().post('/api/v1/moments').set(clerkAuth).send({ text: '早安' }).expect(201)).body.id as string;
    const campaign = (
      await api()
        .post('/api/v1/campaigns')
        .set(marketerAuth)
        .send({ kind: 'moment', title: '双十二', text: '全场八折', publishAt: '2026-12-12T10:00' })
        .expect(201)
    ).body.id as string;
    const image = await uploadPng(clerkAuth);

    // Roles: clerks do not plan campaigns, marketers do not post moments.
    expect((await api().post('/api/v1/campaigns').set(clerkAuth).send({ kind: 'moment', title: 'x', text: 'x', publishAt: '2026-12-12T10:00' })).status).toBe(
      403,
    );
    expect((await api().get('/api/v1/campaigns').set(clerkAuth)).status).toBe(403);
    const marketerMoment = await api().post('/api/v1/moments').set(marketerAuth).send({ text: '早安' });
    expect(marketerMoment.status).toBe(403);
    expect(marketerMoment.body.error.code).toBe('forbidden');
    expect((await api().get('/api/v1/moments/quota').set(marketerAuth)).status).toBe(403);
    expect((await api().post('/api/v1/groups').set(marketerAuth).send({ name: 'x' })).status).toBe(403);

    // Another clerk's group is not there for a clerk; her manager sees it.
    const clerk2Auth = await bearer(clerk2.login);
    expect((await api().get(`/api/v1/groups/${group.id}`).set(clerk2Auth)).status).toBe(404);
    expect(
      (
        await api()
          .post(`/api/v1/groups/${group.id}/members`)
          .set(clerk2Auth)
          .send({ customerId: String(org._id) })
      ).status,
    ).toBe(404);
    expect((await api().get('/api/v1/groups').set(clerk2Auth).expect(200)).body.items).toEqual([]);
    await api()
      .get(`/api/v1/groups/${group.id}`)
      .set(await bearer(manager.login))
      .expect(200);
    // A clerk adds only customers she may read.
    const notHers = await createCustomer(org._id, { ownerId: clerk2._id });
    expect(
      (
        await api()
          .post(`/api/v1/groups/${group.id}/members`)
          .set(clerkAuth)
          .send({ customerId: String(notHers._id) })
      ).status,
    ).toBe(404);

    // Another organisation's admin reaches none of it.
    const otherAdmin = await bearer(other.admin.login);
    for (const path of [
      `/api/v1/groups/${group.id}`,
      `/api/v1/groups/${group.id}/members`,
      `/api/v1/moments/${moment}`,
      `/api/v1/campaigns/${campaign}`,
      `/api/v1/media/${image}`,
      `/api/v1/media/${image}/thumb`,
    ]) {
      const res = await api().get(path).set(otherAdmin);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
    expect(
      (
        await api()
          .patch(`/api/v1/campaigns/${campaign}`)
          .set(await bearer(other.marketer.login))
          .send({ title: 'x' })
      ).status,
    ).toBe(404);
    expect(
      (
        await api()
          .delete(`/api/v1/campaigns/${campaign}`)
          .set(await bearer(other.marketer.login))
      ).status,
    ).toBe(404);
    expect((await api().get('/api/v1/campaigns/not-an-id').set(marketerAuth)).status).toBe(404);
    expect(await Campaign.countDocuments({ orgId: org._id, status: 'scheduled' })).toBe(1);
  });
});

describe('media', () => {
  it('stores a real PNG, lets a moment use its id, and serves it with caching headers only to staff who may read what shows it', async () => {
    const { org, clerk, clerk2, manager, marketer } = await team();
    const auth = await bearer(clerk.login);
    const png = await pngBytes();
    const res = await api().post('/api/v1/media').set(auth).set('Content-Type', 'image/png').send(png);
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    expect(res.body).toEqual({ id, url: `/api/v1/media/${id}`, thumbUrl: `/api/v1/media/${id}/thumb` });
    expect(await mediaFiles(org._id)).toBe(2);
    // Not yet in anything: only the uploader reads it.
    await api()
      .get(res.body.url)
      .set(await bearer(manager.login))
      .expect(404);
    // Nor can a colleague put it in her own post to get at it.
    const borrowed = await api()
      .post('/api/v1/moments')
      .set(await bearer(clerk2.login))
      .send({ text: '借图', imageIds: [id] })
      .expect(400);
    expect(borrowed.body.error.details.fields).toEqual({ imageIds: ['unknown_image'] });

    const moment = await api()
      .post('/api/v1/moments')
      .set(auth)
      .send({ text: '新品到店', imageIds: [id] })
      .expect(201);
    expect(moment.body.images).toEqual([{ id, url: `/api/v1/media/${id}`, thumbUrl: `/api/v1/media/${id}/thumb` }]);
    expect((await api().get(`/api/v1/moments/${moment.body.id}`).set(auth).expect(200)).body.images[0].id).toBe(id);

    const original = await api()
      .get(res.body.url)
      .set(await bearer(manager.login))
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(original.status).toBe(200);
    expect(original.headers['content-type']).toBe('image/png');
    expect(original.headers['cache-control']).toContain('private');
    expect(Buffer.compare(original.body as Buffer, png)).toBe(0);
    await api().get(res.body.url).set(auth).set('If-None-Match', original.headers.etag!).expect(304);
    const thumb = await api().get(res.body.thumbUrl).set(auth).expect(200);
    expect(thumb.headers['content-type']).toBe('image/webp');
    // The store's manager and the marketers read the clerk's moments; a colleague clerk and another organisation do not.
    await api()
      .get(res.body.thumbUrl)
      .set(await bearer(marketer.login))
      .expect(200);
    await api()
      .get(res.body.url)
      .set(await bearer(clerk2.login))
      .expect(404);
    const stranger = await team();
    await api()
      .get(res.body.url)
      .set(await bearer(stranger.admin.login))
      .expect(404);
    expect(
      await api()
        .get('/api/v1/media/not-an-id')
        .set(auth)
        .then((r) => r.status),
    ).toBe(404);
  });
});

describe('campaigns', () => {
  it('keeps a campaign to its own pictures and removes the ones it stops showing', async () => {
    const { org, marketer, admin } = await team();
    const auth = await bearer(marketer.login);
    const [mine, second] = [await uploadPng(auth), await uploadPng(auth)];
    const someoneElses = await uploadPng(await bearer(admin.login));
    const borrowed = await api()
      .post('/api/v1/campaigns')
      .set(auth)
      .send({ kind: 'moment', title: '借图', text: '借别人的图', imageIds: [someoneElses], publishAt: '2026-12-12T10:00' });
    expect(borrowed.status).toBe(400);
    expect(borrowed.body.error.details.fields).toEqual({ imageIds: ['unknown_image'] });
    expect(await mediaFiles(org._id)).toBe(6);

    const created = await api()
      .post('/api/v1/campaigns')
      .set(auth)
      .send({ kind: 'moment', title: '新品', text: '新品上市', imageIds: [mine, second], publishAt: '2026-12-12T10:00' })
      .expect(201);
    await api()
      .patch(`/api/v1/campaigns/${created.body.id}`)
      .set(auth)
      .send({ imageIds: [mine] })
      .expect(200);
    // The picture taken out is gone with its thumbnail; the others stay.
    expect(await mediaFiles(org._id)).toBe(4);
    await api().delete(`/api/v1/campaigns/${created.body.id}`).set(auth).expect(204);
    expect(await mediaFiles(org._id)).toBe(2);
  });

  it('creates, changes and cancels a campaign; a fired one gives clerks tasks they publish once or skip', async () => {
    const { org, store, clerk, clerk2, marketer, manager } = await team();
    await customersOf(org._id, clerk, 2);
    const auth = await bearer(marketer.login);
    const image = await uploadPng(auth);

    // Local time in the organisation's timezone (Asia/Shanghai, UTC+8).
    const created = await api()
      .post('/api/v1/campaigns')
      .set(auth)
      .send({ kind: 'moment', title: '双十二', text: '全场八折', imageIds: [image], storeIds: [String(store._id)], publishAt: '2026-12-12T10:00' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      kind: 'moment',
      title: '双十二',
      status: 'scheduled',
      editable: true,
      publishAt: '2026-12-12T02:00:00.000Z',
      storeIds: [String(store._id)],
      images: [{ id: image }],
    });
    const patched = await api().patch(`/api/v1/campaigns/${created.body.id}`).set(auth).send({ title: '双十二大促', publishAt: '2026-12-11T20:00:00+08:00' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ title: '双十二大促', text: '全场八折', publishAt: '2026-12-11T12:00:00.000Z', images: [{ id: image }] });
    const pastPatch = await api().patch(`/api/v1/campaigns/${created.body.id}`).set(auth).send({ publishAt: '2026-11-30T10:00' });
    expect(pastPatch.body.error.details.fields).toEqual({ publishAt: ['in_past'] });
    await api().delete(`/api/v1/campaigns/${created.body.id}`).set(auth).expect(204);
    expect((await api().delete(`/api/v1/campaigns/${created.body.id}`).set(auth).expect(409)).body.error.code).toBe('campaign_closed');
    expect((await api().patch(`/api/v1/campaigns/${created.body.id}`).set(auth).send({ title: '再改' }).expect(409)).body.error.code).toBe('campaign_closed');

    const live = await api()
      .post('/api/v1/campaigns')
      .set(auth)
      .send({ kind: 'moment', title: '周末', text: '周末特惠', storeIds: [String(store._id)], publishAt: '2026-12-01T12:00' })
      .expect(201);
    clock.set('2026-12-01T04:30:00Z');
    expect(await fireDueCampaigns()).toMatchObject({ campaigns: 1 });
    // One task per active clerk of the target store.
    expect(await CampaignTask.countDocuments({ orgId: org._id, campaignId: live.body.id })).toBe(2);
    expect(await fireDueCampaigns()).toEqual({ campaigns: 0, tasks: 0 });

    const clerkAuth = await bearer(clerk.login);
    const tasks = await api().get('/api/v1/campaign-tasks?status=open').set(clerkAuth).expect(200);
    expect(tasks.body.items).toEqual([
      expect.objectContaining({ status: 'open', groupId: null, campaign: expect.objectContaining({ id: live.body.id, title: '周末', status: 'fired' }) }),
    ]);
    const taskId = tasks.body.items[0].id as string;
    const post = await api().post(`/api/v1/campaign-tasks/${taskId}/publish`).set(clerkAuth);
    expect(post.status).toBe(201);
    expect(post.body).toMatchObject({
      kind: 'moment',
      text: '周末特惠',
      campaignId: live.body.id,
      authorId: String(clerk._id),
      stats: { audience: 2, reached: 2 },
    });
    const again = await api().post(`/api/v1/campaign-tasks/${taskId}/publish`).set(clerkAuth);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('task_done');
    expect(await SocialPost.countDocuments({ orgId: org._id, campaignId: live.body.id })).toBe(1);
    expect((await api().get('/api/v1/moments/quota').set(clerkAuth).expect(200)).body.used).toBe(1);
    expect((await api().get('/api/v1/campaign-tasks?status=open').set(clerkAuth).expect(200)).body.items).toEqual([]);

    // Another clerk skips hers; nobody publishes someone else's task.
    const clerk2Auth = await bearer(clerk2.login);
    const theirs = (await api().get('/api/v1/campaign-tasks').set(clerk2Auth).expect(200)).body.items[0].id as string;
    expect((await api().post(`/api/v1/campaign-tasks/${theirs}/publish`).set(clerkAuth)).status).toBe(404);
    await api().post(`/api/v1/campaign-tasks/${theirs}/skip`).set(clerk2Auth).expect(204);
    expect((await api().post(`/api/v1/campaign-tasks/${theirs}/skip`).set(clerk2Auth)).status).toBe(409);

    // Fired: no more changes; completion per store and clerk.
    expect((await api().patch(`/api/v1/campaigns/${live.body.id}`).set(auth).send({ title: '改' }).expect(409)).body.error.code).toBe('campaign_closed');
    const detail = await api()
      .get(`/api/v1/campaigns/${live.body.id}`)
      .set(await bearer(manager.login))
      .expect(200);
    expect(detail.body).toMatchObject({
      status: 'fired',
      editable: false,
      tasksCreated: 2,
      completion: { totals: { open: 0, published: 1, skipped: 1, total: 2 } },
    });
    expect(detail.body.completion.byStore).toEqual([expect.objectContaining({ id: String(store._id), published: 1, skipped: 1, open: 0 })]);
    expect(detail.body.completion.byStaff).toHaveLength(2);
    const list = await api().get('/api/v1/campaigns').set(auth).expect(200);
    expect(list.body.items.map((c: { id: string; status: string }) => [c.id, c.status])).toEqual([
      [created.body.id, 'cancelled'],
      [live.body.id, 'fired'],
    ]);
  });
});
