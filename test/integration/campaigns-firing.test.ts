import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Agenda } from 'agenda';
import type { Types } from 'mongoose';
import { useTestDatabase } from '../setup/db.js';
import { createCustomer, createOrg, createOrgWithTeam, createStaff, createStore, ctxFor } from '../factories.js';
import { mongoose } from '../../server/db/connect.js';
import { createAgenda } from '../../jobs/agenda.js';
import { jobs } from '../../jobs/index.js';
import { createLogger } from '../../server/logger.js';
import { useFrozenClock } from '../setup/clock.js';
import { ConflictError, RateLimitedError } from '../../server/errors.js';
import { Campaign, CampaignTask } from '../../server/models/campaign.js';
import { CustomerGroup } from '../../server/models/customer-group.js';
import { SocialPost } from '../../server/models/social-post.js';
import {
  campaignCompletion,
  cancelCampaign,
  createCampaign,
  fireDueCampaigns,
  listMyCampaignTasks,
  publishCampaignTask,
  skipCampaignTask,
  updateCampaign,
  type CampaignInput,
} from '../../server/services/campaigns/campaigns.js';
import { momentQuota, publishMoment } from '../../server/services/moments/moments.js';
import { archiveGroup, createGroup } from '../../server/services/groups/groups.js';
import { groupPostAllowance } from '../../server/services/groups/group-posts.js';

const FIRE = 'campaigns.fire-due';
const workers: [string, Agenda][] = [];

useTestDatabase({
  beforeClose: async () => {
    await Promise.all(workers.map(([, agenda]) => agenda.stop()));
  },
});

beforeAll(async () => {
  // Two app processes: two Agenda instances on the same database, each with every job of the registry.
  for (const name of ['worker-a', 'worker-b']) {
    const agenda = createAgenda({ db: mongoose.connection.db!, log: createLogger('silent'), jobs, name, processEvery: 100, lockLifetimeMs: 1000 });
    await agenda.start();
    workers.push([name, agenda]);
  }
});
const clock = useFrozenClock();

/** Resolves once `n` runs of the firing job have completed, on whichever worker; rejects on a failed run. */
function firingRuns(n: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const ran: string[] = [];
    const listeners: [Agenda, string, (...args: unknown[]) => void][] = [];
    const done = (err?: unknown) => {
      clearTimeout(deadline);
      for (const [agenda, event, listener] of listeners) agenda.off(event, listener);
      if (err) reject(err);
      else resolve(ran);
    };
    const deadline = setTimeout(() => done(new Error(`only ${ran.length} of ${n} runs of ${FIRE} completed`)), 20_000);
    for (const [name, agenda] of workers) {
      const complete = () => {
        ran.push(name);
        if (ran.length === n) done();
      };
      const fail = (err: unknown) => done(err);
      listeners.push([agenda, `complete:${FIRE}`, complete], [agenda, `fail:${FIRE}`, fail]);
      agenda.on(`complete:${FIRE}`, complete);
      agenda.on(`fail:${FIRE}`, fail);
    }
  });
}

/** Both workers run the firing job at the same moment, while the job's function is also called directly three times. */
async function fireEverywhere(): Promise<void> {
  const runs = firingRuns(2);
  await Promise.all([...workers.map(([, agenda]) => agenda.now(FIRE, {})), fireDueCampaigns(), fireDueCampaigns(), fireDueCampaigns()]);
  expect(await runs).toHaveLength(2);
}

const T0 = new Date('2026-12-01T02:00:00Z');
const later = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function campaignInput(fields: Partial<CampaignInput> = {}): CampaignInput {
  return {
    kind: 'moment',
    title: '双十二预热',
    text: '双十二全场八折，欢迎到店',
    link: 'https://example.com/sale',
    storeIds: [],
    tagIds: [],
    publishAt: later(60),
    ...fields,
  };
}

const tasksOf = (orgId: Types.ObjectId, campaignId: Types.ObjectId) => CampaignTask.find({ orgId, campaignId }).lean();

describe('firing a moments campaign', () => {
  it('creates exactly one task per targeted clerk with two workers and direct calls racing', async () => {
    clock.set(T0);
    const { org, store, otherStore, clerk, marketer } = await createOrgWithTeam();
    const moreClerks = await Promise.all([1, 2].map(() => createStaff(org._id, { roles: ['clerk'], storeId: store._id })));
    // Not targeted: a clerk of the other store, a clerk who left, and another organisation's clerk.
    const elsewhere = await createStaff(org._id, { roles: ['clerk'], storeId: otherStore._id });
    await createStaff(org._id, { roles: ['clerk'], storeId: store._id, status: 'left' });
    const stranger = await createOrgWithTeam();
    const campaign = await createCampaign(ctxFor(marketer), campaignInput({ storeIds: [String(store._id)] }));
    expect(campaign.status).toBe('scheduled');

    // Before its time nothing fires.
    expect(await fireDueCampaigns()).toMatchObject({ tasks: 0 });
    expect(await tasksOf(org._id, campaign._id)).toHaveLength(0);

    clock.set(later(61));
    await fireEverywhere();

    const targeted = [clerk, ...moreClerks].map((s) => String(s._id)).sort();
    const tasks = await tasksOf(org._id, campaign._id);
    expect(tasks.map((t) => String(t.staffId)).sort()).toEqual(targeted);
    expect(tasks.every((t) => t.status === 'open' && String(t.storeId) === String(store._id) && t.groupId === null)).toBe(true);
    expect(await CampaignTask.countDocuments({ orgId: org._id, staffId: elsewhere._id })).toBe(0);
    expect(await CampaignTask.countDocuments({ orgId: stranger.org._id })).toBe(0);
    const fired = await Campaign.findOne({ orgId: org._id, _id: campaign._id }).lean();
    expect(fired).toMatchObject({ status: 'fired', tasksCreated: 3, firedAt: later(61) });

    // Later runs add nothing.
    await fireEverywhere();
    expect(await tasksOf(org._id, campaign._id)).toHaveLength(3);
    expect((await Campaign.findOne({ orgId: org._id, _id: campaign._id }).lean())?.firedAt).toEqual(later(61));

    // Each clerk sees the task; completion counts it per store and per clerk.
    const [mine] = await listMyCampaignTasks(ctxFor(clerk));
    expect(mine).toMatchObject({ status: 'open', campaign: { title: '双十二预热' } });
    const completion = await campaignCompletion(ctxFor(marketer), String(campaign._id));
    expect(completion.totals).toEqual({ open: 3, published: 0, skipped: 0, total: 3 });
    expect(completion.byStaff).toHaveLength(3);
  });

  it('targets every store when none is named, and refuses a publish time in the past', async () => {
    clock.set(T0);
    const { org, store, otherStore, clerk, marketer } = await createOrgWithTeam();
    const other = await createStaff(org._id, { roles: ['clerk'], storeId: otherStore._id });
    await expect(createCampaign(ctxFor(marketer), campaignInput({ publishAt: later(-1) }))).rejects.toMatchObject({
      status: 400,
      fields: { publishAt: ['in_past'] },
    });
    // A local time without an offset is read in the organisation's timezone (Shanghai): 11:00 there is 03:00 UTC.
    const campaign = await createCampaign(ctxFor(marketer), campaignInput({ publishAt: '2026-12-01T11:00' }));
    expect(campaign.publishAt).toEqual(later(60));
    clock.set(later(60));
    await fireEverywhere();
    const tasks = await tasksOf(org._id, campaign._id);
    expect(tasks.map((t) => String(t.staffId)).sort()).toEqual([String(clerk._id), String(other._id)].sort());
    expect(new Set(tasks.map((t) => String(t.storeId)))).toEqual(new Set([String(store._id), String(otherStore._id)]));
  });

  it('never fires a cancelled campaign', async () => {
    clock.set(T0);
    const { org, marketer } = await createOrgWithTeam();
    const campaign = await createCampaign(ctxFor(marketer), campaignInput());
    await cancelCampaign(ctxFor(marketer), String(campaign._id));
    clock.set(later(120));
    await fireEverywhere();
    expect(await tasksOf(org._id, campaign._id)).toHaveLength(0);
    expect(await Campaign.findOne({ orgId: org._id, _id: campaign._id }).lean()).toMatchObject({ status: 'cancelled', tasksCreated: 0, firedAt: null });
    // Cancelled stays cancelled: it can be neither edited nor cancelled again.
    await expect(updateCampaign(ctxFor(marketer), String(campaign._id), campaignInput({ publishAt: later(180) }))).rejects.toMatchObject({
      code: 'campaign_closed',
    });
  });

  it('fires an edited campaign at its new time only, and cannot be edited or cancelled once due', async () => {
    clock.set(T0);
    const { org, clerk, marketer } = await createOrgWithTeam();
    const campaign = await createCampaign(ctxFor(marketer), campaignInput({ publishAt: later(60) }));
    const edited = await updateCampaign(ctxFor(marketer), String(campaign._id), campaignInput({ publishAt: later(180), text: '改期：双十二当天见' }));
    expect(edited.publishAt).toEqual(later(180));

    // The old time passes without a firing.
    clock.set(later(90));
    await fireEverywhere();
    expect(await tasksOf(org._id, campaign._id)).toHaveLength(0);
    expect((await Campaign.findOne({ orgId: org._id, _id: campaign._id }).lean())?.status).toBe('scheduled');

    // Its time has come: no more changes, even before the job ran.
    clock.set(later(180));
    await expect(updateCampaign(ctxFor(marketer), String(campaign._id), campaignInput({ publishAt: later(240) }))).rejects.toBeInstanceOf(ConflictError);
    await expect(cancelCampaign(ctxFor(marketer), String(campaign._id))).rejects.toMatchObject({ code: 'campaign_closed' });
    await fireEverywhere();
    const tasks = await tasksOf(org._id, campaign._id);
    expect(tasks.map((t) => String(t.staffId))).toEqual([String(clerk._id)]);
    expect(await Campaign.findOne({ orgId: org._id, _id: campaign._id }).lean()).toMatchObject({
      status: 'fired',
      tasksCreated: 1,
      text: '改期：双十二当天见',
    });
  });
});

describe('firing a group-post campaign', () => {
  it("gives one task per active group of the target stores to its owner, and its post counts against the group's allowance", async () => {
    clock.set(T0);
    const org = await createOrg({ massMessagePolicy: 'day_1' });
    const [store, otherStore] = await Promise.all([createStore(org._id), createStore(org._id)]);
    const [first, second, away] = await Promise.all([
      createStaff(org._id, { roles: ['clerk'], storeId: store._id }),
      createStaff(org._id, { roles: ['clerk'], storeId: store._id }),
      createStaff(org._id, { roles: ['clerk'], storeId: otherStore._id }),
    ]);
    const marketer = await createStaff(org._id, { roles: ['marketer'] });
    const fruit = await createGroup(ctxFor(first), { name: '水果群' });
    const wine = await createGroup(ctxFor(first), { name: '红酒群' });
    const kids = await createGroup(ctxFor(second), { name: '亲子群' });
    const old = await createGroup(ctxFor(second), { name: '旧群' });
    await archiveGroup(ctxFor(second), String(old._id));
    await createGroup(ctxFor(away), { name: '别店的群' });
    const clerkWithoutGroup = await createStaff(org._id, { roles: ['clerk'], storeId: store._id });

    await expect(createCampaign(ctxFor(marketer), campaignInput({ kind: 'group', tagIds: [String(new mongoose.Types.ObjectId())] }))).rejects.toMatchObject({
      fields: { tagIds: ['not_for_groups'] },
    });
    const campaign = await createCampaign(ctxFor(marketer), campaignInput({ kind: 'group', title: '群发预告', storeIds: [String(store._id)] }));
    clock.set(later(61));
    await fireEverywhere();

    const tasks = await tasksOf(org._id, campaign._id);
    const pairs = tasks.map((t) => `${String(t.staffId)}:${String(t.groupId)}`).sort();
    expect(pairs).toEqual(
      [`${String(first._id)}:${String(fruit._id)}`, `${String(first._id)}:${String(wine._id)}`, `${String(second._id)}:${String(kids._id)}`].sort(),
    );
    expect(await CampaignTask.countDocuments({ orgId: org._id, staffId: clerkWithoutGroup._id })).toBe(0);
    expect((await Campaign.findOne({ orgId: org._id, _id: campaign._id }).lean())?.tasksCreated).toBe(3);

    // Publishing the task posts to its group, within the group's allowance (one a day here).
    const fruitTask = tasks.find((t) => String(t.groupId) === String(fruit._id))!;
    const post = await publishCampaignTask(ctxFor(first), String(fruitTask._id));
    expect(post).toMatchObject({ kind: 'group', groupId: fruit._id, campaignId: campaign._id, text: campaign.text });
    expect(await groupPostAllowance(ctxFor(first), fruit)).toMatchObject({ limit: 1, used: 1, left: 0 });
    const listed = await listMyCampaignTasks(ctxFor(first));
    expect(listed.map((t) => t.groupName).sort()).toEqual(['水果群', '红酒群']);
  });
});

describe('publishing a campaign task', () => {
  async function firedMomentCampaign(quota: number) {
    clock.set(T0);
    const org = await createOrg({ momentsPerStaffPerDay: quota });
    const store = await createStore(org._id);
    const clerk = await createStaff(org._id, { roles: ['clerk'], storeId: store._id });
    const marketer = await createStaff(org._id, { roles: ['marketer'] });
    await Promise.all([1, 2, 3].map(() => createCustomer(org._id, { ownerId: clerk._id, storeId: store._id })));
    const campaigns = [];
    for (const title of ['第一波', '第二波']) campaigns.push(await createCampaign(ctxFor(marketer), campaignInput({ title })));
    clock.set(later(61));
    await fireDueCampaigns();
    const tasks = await Promise.all(campaigns.map(async (c) => (await tasksOf(org._id, c._id))[0]!));
    return { org, clerk, marketer, campaigns, tasks, ctx: ctxFor(clerk) };
  }

  it('counts against the clerk’s quota, and a double tap publishes once', async () => {
    const { org, ctx, campaigns, tasks, marketer } = await firedMomentCampaign(3);
    const [first, second] = await Promise.allSettled([publishCampaignTask(ctx, String(tasks[0]!._id)), publishCampaignTask(ctx, String(tasks[0]!._id))]);
    const outcomes = [first, second];
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(ConflictError);
    expect(refused.reason).toMatchObject({ code: 'task_done' });

    const posts = await SocialPost.find({ orgId: org._id, campaignId: campaigns[0]!._id }).lean();
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({ kind: 'moment', text: campaigns[0]!.text, link: campaigns[0]!.link, stats: { audience: 3, reached: 3 } });
    expect(await momentQuota(ctx)).toMatchObject({ used: 1, left: 2 });
    expect(await CampaignTask.findOne({ orgId: org._id, _id: tasks[0]!._id }).lean()).toMatchObject({ status: 'published', postId: posts[0]!._id });
    // Done is done: neither a third publish nor a skip.
    await expect(publishCampaignTask(ctx, String(tasks[0]!._id))).rejects.toMatchObject({ code: 'task_done' });
    await expect(skipCampaignTask(ctx, String(tasks[0]!._id))).rejects.toMatchObject({ code: 'task_done' });
    expect((await campaignCompletion(ctxFor(marketer), String(campaigns[0]!._id))).totals).toEqual({ open: 0, published: 1, skipped: 0, total: 1 });
  });

  it('recovers a task whose publish died mid-way: held while the lease runs, then taken over without a second post', async () => {
    const { org, ctx, tasks, campaigns } = await firedMomentCampaign(3);
    const taskId = String(tasks[0]!._id);
    // A publish under way elsewhere holds the task: neither a publish nor a skip gets in.
    await CampaignTask.updateOne({ orgId: org._id, _id: tasks[0]!._id }, { $set: { claimedAt: later(61) } });
    await expect(publishCampaignTask(ctx, taskId)).rejects.toMatchObject({ code: 'task_done' });
    await expect(skipCampaignTask(ctx, taskId)).rejects.toMatchObject({ code: 'task_done' });
    // That process died after publishing but before marking the task: once the lease has run out, the post it made counts.
    const orphan = await publishMoment(ctx, { text: campaigns[0]!.text, campaignId: campaigns[0]!._id });
    clock.set(later(65));
    const taken = await publishCampaignTask(ctx, taskId);
    expect(String(taken._id)).toBe(String(orphan._id));
    expect(await SocialPost.countDocuments({ orgId: org._id, campaignId: campaigns[0]!._id })).toBe(1);
    expect(await CampaignTask.findOne({ orgId: org._id, _id: tasks[0]!._id }).lean()).toMatchObject({
      status: 'published',
      postId: orphan._id,
      claimedAt: null,
    });

    // A process that died before publishing: the task is simply published once its lease has run out.
    const second = String(tasks[1]!._id);
    await CampaignTask.updateOne({ orgId: org._id, _id: tasks[1]!._id }, { $set: { claimedAt: later(65) } });
    clock.set(later(68));
    expect((await publishCampaignTask(ctx, second)).campaignId).toEqual(campaigns[1]!._id);
    expect(await SocialPost.countDocuments({ orgId: org._id, campaignId: campaigns[1]!._id })).toBe(1);
  });

  it('is refused when the quota is used up, and the task stays open for tomorrow', async () => {
    const { org, ctx, tasks, campaigns } = await firedMomentCampaign(1);
    await publishMoment(ctx, { text: '自己发的一条' });
    await expect(publishCampaignTask(ctx, String(tasks[0]!._id))).rejects.toBeInstanceOf(RateLimitedError);
    expect(await CampaignTask.findOne({ orgId: org._id, _id: tasks[0]!._id }).lean()).toMatchObject({ status: 'open', doneAt: null, postId: null });
    expect(await SocialPost.countDocuments({ orgId: org._id, campaignId: campaigns[0]!._id })).toBe(0);
    expect(await momentQuota(ctx)).toMatchObject({ used: 1, left: 0 });

    // The next day the same task publishes.
    clock.set(later(24 * 60));
    const post = await publishCampaignTask(ctx, String(tasks[0]!._id));
    expect(post.campaignId).toEqual(campaigns[0]!._id);
    // Concurrent publishes of two different tasks with one left: exactly one goes through.
    clock.set(later(48 * 60));
    const [a, b] = await Promise.allSettled([publishCampaignTask(ctx, String(tasks[1]!._id)), publishMoment(ctx, { text: '抢名额' })]);
    expect([a, b].filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(await momentQuota(ctx)).toMatchObject({ used: 1, left: 0 });
  });

  it('cannot be published or skipped by another clerk', async () => {
    const { org, tasks } = await firedMomentCampaign(3);
    const colleague = await createStaff(org._id, { roles: ['clerk'], storeId: null });
    await expect(publishCampaignTask(ctxFor(colleague), String(tasks[0]!._id))).rejects.toMatchObject({ status: 404 });
    await expect(skipCampaignTask(ctxFor(colleague), String(tasks[0]!._id))).rejects.toMatchObject({ status: 404 });
    expect((await CampaignTask.findOne({ orgId: org._id, _id: tasks[0]!._id }).lean())?.status).toBe('open');
  });
});

describe('group ownership and campaign targets', () => {
  it('sends a group campaign task to the group’s current owner', async () => {
    clock.set(T0);
    const { org, store, clerk, marketer } = await createOrgWithTeam();
    const group = await createGroup(ctxFor(clerk), { name: '转手群' });
    const successor = await createStaff(org._id, { roles: ['clerk'], storeId: store._id });
    await CustomerGroup.updateOne({ orgId: org._id, _id: group._id }, { $set: { ownerId: successor._id } });
    const campaign = await createCampaign(ctxFor(marketer), campaignInput({ kind: 'group' }));
    clock.set(later(61));
    await fireDueCampaigns();
    const tasks = await tasksOf(org._id, campaign._id);
    expect(tasks.map((t) => String(t.staffId))).toEqual([String(successor._id)]);
  });
});
