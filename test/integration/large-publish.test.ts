import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Express } from 'express';
import request from 'supertest';
import type { Types } from 'mongoose';
import { useTestDatabase } from '../setup/db.js';
import { postMultipart, testIdText } from '../setup/social.js';
import { bearerFor, buildTestApp, signIn } from '../setup/app.js';
import { createCustomerGroup, createCustomers, createOrg, createStaff, createStore, ctxFor, PASSWORD } from '../factories.js';
import { addMembers } from '../../server/services/groups/group-page.js';
import { publishGroupPost } from '../../server/services/groups/group-posts.js';
import { useFrozenClock } from '../setup/clock.js';
import { Delivery, SocialPost } from '../../server/models/social-post.js';
import { UsageCounter } from '../../server/models/usage-counter.js';
import { effectiveSettings, fanoutLimits, type OrgSettings } from '../../server/domain/settings.js';
import { momentQuota, publishMoment } from '../../server/services/moments/moments.js';
import { storeAndDeliver } from '../../server/services/posts/publish.js';
import { touchCustomers, touchesLeftToday } from '../../server/services/limits/contact-budget.js';
import { deliverPostJob, deliverStalledPostsJob, enqueuePostDeliveries } from '../../jobs/post-delivery.job.js';
import { createAgenda } from '../../jobs/agenda.js';
import { jobs } from '../../jobs/index.js';
import { createLogger } from '../../server/logger.js';
import { mongoose } from '../../server/db/connect.js';
import { MongoNetworkError } from 'mongodb';
import { eraseCustomer } from '../../server/services/customers/erase.js';

useTestDatabase();

// 10:00 on 1 December 2026 in Shanghai (the organisations' timezone).
const NOW = new Date('2026-12-01T02:00:00Z');
const clock = useFrozenClock(NOW);

/** A batch of 10: an audience of 25 is "large" (three batches), as 2,000 customers are with the real batch. */
const BATCH = 10;
const AUDIENCE = 25;
const realBatch = fanoutLimits.deliveryBatch;
let app: Express;
beforeAll(async () => {
  fanoutLimits.deliveryBatch = BATCH;
  ({ app } = await buildTestApp());
});
afterAll(() => {
  fanoutLimits.deliveryBatch = realBatch;
});

async function clerkWithCustomers(settings: Partial<OrgSettings> = {}, count = AUDIENCE) {
  const org = await createOrg(settings);
  const store = await createStore(org._id);
  const clerk = await createStaff(org._id, { roles: ['clerk'], storeId: store._id });
  const customers = await createCustomers(org._id, count, { ownerId: clerk._id, storeId: store._id });
  return { org, clerk, ctx: ctxFor(clerk), customers: customers.map((c) => c._id as Types.ObjectId), settings: effectiveSettings(org.settings) };
}

const runJob = (orgId: Types.ObjectId, postId: Types.ObjectId | string) =>
  deliverPostJob.run({ orgId: String(orgId), postId: String(postId) }, undefined as never);

/** A run of the delivery job whose next insert of deliveries fails with `error` (a fault of the database or the disk). */
async function expectJobToFailOnce(orgId: Types.ObjectId, postId: Types.ObjectId, error: Error) {
  const spy = jest.spyOn(Delivery.collection, 'insertMany').mockRejectedValueOnce(error);
  try {
    await expect(runJob(orgId, postId)).rejects.toThrow(error.message);
  } finally {
    spy.mockRestore();
  }
}

/** Every counter of the organisation, as stored: what a rerun must leave exactly as it is. */
const counters = async (orgId: Types.ObjectId) =>
  (await UsageCounter.find({ orgId }, { key: 1, used: 1, by: 1 }).sort({ key: 1 }).lean()).map(({ key, used, by }) => ({ key, used, by }));

const deliveredTo = async (orgId: Types.ObjectId, postId: Types.ObjectId) =>
  new Set((await Delivery.find({ orgId, postId }, { customerId: 1 }).lean()).map((d) => String(d.customerId)));

/** The customers' touch counters only (the author's quota is counted apart). */
const touchCounters = async (orgId: Types.ObjectId) => (await counters(orgId)).filter((counter) => counter.key.startsWith('touch:'));

describe('publishing to a large audience', () => {
  it('answers once the post is stored and its first batch decided; the job decides the rest, once, and again changes nothing', async () => {
    const { org, clerk, ctx, customers, settings } = await clerkWithCustomers({ momentsPerCustomerPerDay: 1 });
    // Five customers already saw today's one moment: they are held back, whenever their batch is decided.
    const seen = customers.slice(0, 5);
    await storeAndDeliver(org._id, { kind: 'moment', authorId: clerk._id, text: '早', imageIds: [], link: null, day: '2026-12-01' }, seen, settings);

    const post = await publishMoment(ctx, { text: '新品到店' });
    expect(post.delivery).toEqual({ state: 'delivering', decided: BATCH, movedAt: NOW });
    expect(post.stats).toMatchObject({ audience: AUDIENCE });
    expect(post.stats.reached + post.stats.heldBack).toBe(BATCH);
    expect(post.reach.audience).toBe(BATCH);
    const decidedFirst = await deliveredTo(org._id, post._id);
    expect(decidedFirst.size).toBe(BATCH);
    // Nobody beyond the first batch was asked: their day's moment is still theirs, and they are not shown the post.
    for (const customerId of customers.filter((id) => !decidedFirst.has(String(id)) && !seen.some((s) => s.equals(id)))) {
      expect(await touchesLeftToday(org._id, customerId, 'moment', settings)).toBe(1);
    }

    await runJob(org._id, post._id);
    const done = await SocialPost.findOne({ orgId: org._id, _id: post._id }).select('+pendingAudience').lean();
    expect(done!.delivery!.state).toBe('done');
    expect(done!.delivery!.decided).toBe(AUDIENCE);
    expect(done!.pendingAudience).toBeUndefined();
    expect(done!.stats).toMatchObject({ audience: AUDIENCE, reached: AUDIENCE - seen.length, heldBack: seen.length });
    expect(await Delivery.countDocuments({ orgId: org._id, postId: post._id })).toBe(AUDIENCE);
    expect(await Delivery.countDocuments({ orgId: org._id, postId: post._id, shown: false, heldReason: 'customer_cap' })).toBe(seen.length);
    for (const customerId of customers) expect(await touchesLeftToday(org._id, customerId, 'moment', settings)).toBe(0);

    const before = await counters(org._id);
    await runJob(org._id, post._id);
    await deliverStalledPostsJob.run({}, undefined as never);
    expect(await counters(org._id)).toEqual(before);
    expect(await Delivery.countDocuments({ orgId: org._id, postId: post._id })).toBe(AUDIENCE);
    expect((await SocialPost.findOne({ orgId: org._id, _id: post._id }).lean())!.stats).toEqual(done!.stats);
  });

  it('continues after a run that died between counting its touches and writing its deliveries, counting nobody twice', async () => {
    const { org, ctx, settings } = await clerkWithCustomers();
    const post = await publishMoment(ctx, { text: '新品到店' });
    const stored = await SocialPost.findOne({ orgId: org._id, _id: post._id }).select('+pendingAudience').lean();
    // The dead run counted the next batch with the post's mark, then the process went away.
    const nextBatch = stored!.pendingAudience!.slice(BATCH, 2 * BATCH);
    await touchCustomers(org._id, nextBatch, 'moment', settings, { mark: post._id, at: stored!.createdAt });
    // Nothing moved since: the sweep takes the delivery up again.
    clock.set(new Date(NOW.getTime() + fanoutLimits.stalledAfterMs + 1000));
    await deliverStalledPostsJob.run({}, undefined as never);

    const done = await SocialPost.findOne({ orgId: org._id, _id: post._id }).lean();
    expect(done!.delivery!.state).toBe('done');
    expect(done!.stats).toMatchObject({ audience: AUDIENCE, reached: AUDIENCE, heldBack: 0 });
    const touches = await touchCounters(org._id);
    expect(touches).toHaveLength(AUDIENCE);
    for (const counter of touches) expect(counter).toMatchObject({ used: 1, by: { moment: 1 } });
  });

  it('gives up a delivery that cannot go on: the post says it failed, nobody is shown it, and exactly its touches are given back', async () => {
    const { org, clerk, ctx, customers, settings } = await clerkWithCustomers();
    const other = await publishMoment(ctx, { text: '第一条' });
    await runJob(org._id, other._id);
    const before = await touchCounters(org._id);
    const post = await publishMoment(ctx, { text: '第二条' });
    await expectJobToFailOnce(org._id, post._id, new Error('the disk is full'));
    const failed = await SocialPost.findOne({ orgId: org._id, _id: post._id }).select('+pendingAudience').lean();
    expect(failed!.delivery!.state).toBe('failed');
    expect(failed!.stats).toMatchObject({ audience: AUDIENCE, reached: 0, heldBack: 0 });
    expect(failed!.pendingAudience).toBeUndefined();
    expect(await Delivery.countDocuments({ orgId: org._id, postId: post._id })).toBe(0);
    // The first post's touches stay; the failed one's are all given back. The post was stored: the quota stays used.
    expect(await touchCounters(org._id)).toEqual(before);
    expect((await momentQuota(ctx)).used).toBe(2);
    for (const customerId of customers) expect(await touchesLeftToday(org._id, customerId, 'moment', settings)).toBe(2);
    // A failed post is not taken up again.
    await runJob(org._id, post._id);
    expect(await Delivery.countDocuments({ orgId: org._id, postId: post._id })).toBe(0);

    const agent = await signIn(app, clerk.login, PASSWORD);
    const page = await agent.get(`/moments/${String(post._id)}`).expect(200);
    expect(page.text).toContain('data-testid="delivery-failed"');
    expect(page.text).toContain('送达失败');
    expect(page.text).not.toContain('http-equiv="refresh"');
  });
});

describe('a large delivery meets the world while it goes on', () => {
  it('keeps delivering through a database that was out of reach: the post stays delivering and the next run finishes it, counting nobody twice', async () => {
    const { org, ctx, customers, settings } = await clerkWithCustomers();
    const post = await publishMoment(ctx, { text: '新品到店' });
    await expectJobToFailOnce(org._id, post._id, new MongoNetworkError('connection reset by peer'));
    // Not given up: what was delivered stays, and the touches the lost batch counted are kept for the next run.
    const waiting = await SocialPost.findOne({ orgId: org._id, _id: post._id }).select('+pendingAudience').lean();
    expect(waiting!.delivery!.state).toBe('delivering');
    expect(waiting!.pendingAudience).toHaveLength(AUDIENCE);
    expect(await Delivery.countDocuments({ orgId: org._id, postId: post._id })).toBeGreaterThanOrEqual(BATCH);

    await runJob(org._id, post._id);
    const done = await SocialPost.findOne({ orgId: org._id, _id: post._id }).lean();
    expect(done!.delivery).toMatchObject({ state: 'done', decided: AUDIENCE });
    expect(done!.stats).toMatchObject({ audience: AUDIENCE, reached: AUDIENCE, heldBack: 0 });
    expect(await Delivery.countDocuments({ orgId: org._id, postId: post._id })).toBe(AUDIENCE);
    for (const customerId of customers) expect(await touchesLeftToday(org._id, customerId, 'moment', settings)).toBe(2);
  });

  it('neither touches nor delivers to a customer erased after the publish, and leaves her out of the audience', async () => {
    const { org, ctx, settings } = await clerkWithCustomers();
    const admin = await createStaff(org._id, { roles: ['admin'] });
    const post = await publishMoment(ctx, { text: '新品到店' });
    const stored = await SocialPost.findOne({ orgId: org._id, _id: post._id }).select('+pendingAudience').lean();
    const erased = stored!.pendingAudience![AUDIENCE - 1]!;
    await eraseCustomer(ctxFor(admin), String(erased));

    await runJob(org._id, post._id);
    const done = await SocialPost.findOne({ orgId: org._id, _id: post._id }).lean();
    expect(done!.delivery).toMatchObject({ state: 'done', decided: AUDIENCE - 1 });
    expect(done!.stats).toMatchObject({ audience: AUDIENCE - 1, reached: AUDIENCE - 1 });
    expect(await deliveredTo(org._id, post._id)).not.toContain(String(erased));
    expect(await touchesLeftToday(org._id, erased, 'moment', settings)).toBe(3);
  });
});

describe('the pages and the API while a large post is delivered', () => {
  it('sends the clerk to the post page, which shows the progress and refreshes, then the final figures', async () => {
    const { org, clerk } = await clerkWithCustomers();
    const agent = await signIn(app, clerk.login, PASSWORD);
    const posted = await postMultipart(agent, '/moments', '/moments', { text: '新品到店', audienceMode: 'all' });
    expect(posted.status).toBe(303);
    const post = await SocialPost.findOne({ orgId: org._id, authorId: clerk._id }).lean();
    expect(posted.headers.location).toBe(`/moments/${String(post!._id)}`);

    const delivering = await agent.get(posted.headers.location!).expect(200);
    expect(delivering.text).toContain(`正在送达 ${AUDIENCE} 位客户，已完成 ${BATCH} 位`);
    expect(delivering.text).toContain('data-testid="delivery-progress"');
    expect(delivering.text).toContain(`正在送达：${BATCH} / ${AUDIENCE}`);
    expect(delivering.text).toMatch(new RegExp(`<progress [^>]*max="${AUDIENCE}" value="${BATCH}"`));
    expect(delivering.text).toContain('<meta http-equiv="refresh" content="1">');
    const list = await agent.get('/moments').expect(200);
    expect(list.text).toContain(`正在送达：${BATCH} / ${AUDIENCE}`);

    await runJob(org._id, post!._id);
    const done = await agent.get(posted.headers.location!).expect(200);
    expect(done.text).not.toContain('data-testid="delivery-progress"');
    expect(done.text).not.toContain('http-equiv="refresh"');
    expect(testIdText(done.text, 'stat-audience')).toBe(String(AUDIENCE));
    expect(testIdText(done.text, 'stat-reached')).toBe(String(AUDIENCE));
  });

  it('answers the API with the post in its delivering state, and its progress when read again', async () => {
    const { org, clerk } = await clerkWithCustomers();
    const auth = await bearerFor(app, clerk.login, PASSWORD);
    const res = await request(app).post('/api/v1/moments').set(auth).send({ text: '新品到店' }).expect(201);
    expect(res.body.delivery).toEqual({ state: 'delivering', decided: BATCH, total: AUDIENCE, percent: 40 });
    expect(res.body.stats).toMatchObject({ audience: AUDIENCE, reached: BATCH, heldBack: 0 });
    expect(res.body.reach).toMatchObject({ audience: BATCH, reached: BATCH, heldBack: 0 });

    await runJob(org._id, res.body.id);
    const read = await request(app)
      .get(`/api/v1/moments/${res.body.id as string}`)
      .set(auth)
      .expect(200);
    expect(read.body.delivery).toEqual({ state: 'done', decided: AUDIENCE, total: AUDIENCE, percent: 100 });
    expect(read.body.stats).toMatchObject({ audience: AUDIENCE, reached: AUDIENCE, heldBack: 0 });
  });

  it("shows a large group post's progress on the group's page, then every member reached", async () => {
    const { org, clerk, ctx, customers } = await clerkWithCustomers();
    const group = await createCustomerGroup(org._id, { ownerId: clerk._id, name: '会员群' });
    await addMembers(ctx, String(group._id), customers.map(String));
    const post = await publishGroupPost(ctx, String(group._id), { text: '周末活动' });
    expect(post.delivery).toMatchObject({ state: 'delivering', decided: BATCH });
    const agent = await signIn(app, clerk.login, PASSWORD);
    expect((await agent.get(`/groups/${String(group._id)}`).expect(200)).text).toContain(`正在送达：${BATCH} / ${AUDIENCE}`);

    await runJob(org._id, post._id);
    const page = await agent.get(`/groups/${String(group._id)}`).expect(200);
    expect(page.text).not.toContain('data-testid="delivery-progress"');
    expect((await SocialPost.findOne({ orgId: org._id, _id: post._id }).lean())!.stats).toMatchObject({ audience: AUDIENCE, reached: AUDIENCE, heldBack: 0 });
  });

  it('keeps a post to one batch as it was: final figures in the answer, no state of its own', async () => {
    const { ctx } = await clerkWithCustomers({}, BATCH);
    const post = await publishMoment(ctx, { text: '小范围' });
    expect(post.delivery).toBeUndefined();
    expect(post.stats).toMatchObject({ audience: BATCH, reached: BATCH, heldBack: 0 });
  });
});

describe('the scheduler', () => {
  it('gets the delivery job from the publish itself and delivers the rest of the audience', async () => {
    const log = createLogger('silent');
    const agenda = createAgenda({ db: mongoose.connection.db!, log, jobs, processEvery: 200, lockLifetimeMs: 1000 });
    await agenda.start();
    const stopEnqueueing = enqueuePostDeliveries(agenda, log);
    try {
      const { org, ctx } = await clerkWithCustomers();
      const finished = new Promise<void>((resolve, reject) => {
        agenda.once(`success:${deliverPostJob.name}`, () => resolve());
        agenda.once(`fail:${deliverPostJob.name}`, (err: unknown) => reject(err));
      });
      const post = await publishMoment(ctx, { text: '新品到店' });
      expect(post.delivery?.state).toBe('delivering');
      await finished;
      const done = await SocialPost.findOne({ orgId: org._id, _id: post._id }).lean();
      expect(done!.delivery).toMatchObject({ state: 'done', decided: AUDIENCE });
      expect(await Delivery.countDocuments({ orgId: org._id, postId: post._id, shown: true })).toBe(AUDIENCE);
    } finally {
      stopEnqueueing();
      await agenda.stop();
    }
  }, 60_000);
});
