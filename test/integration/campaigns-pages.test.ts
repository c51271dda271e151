import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Express } from 'express';
import type { Types } from 'mongoose';
import { useTestDatabase } from '../setup/db.js';
import { type FormFields, pngBytes, postMultipart, testIdText } from '../setup/social.js';
import { buildTestApp, csrfFor, postForm, signIn, type Agent } from '../setup/app.js';
import { createCustomer, createCustomerGroup, createOrgWithTeam, createStaff, createStore, createTag, createTagGroup, ctxFor, PASSWORD } from '../factories.js';
import { useFrozenClock } from '../setup/clock.js';
import { mongoose } from '../../server/db/connect.js';
import { Campaign, CampaignTask } from '../../server/models/campaign.js';
import { SocialPost } from '../../server/models/social-post.js';
import { fireDueCampaigns } from '../../server/services/campaigns/campaigns.js';
import { momentQuota, publishMoment } from '../../server/services/moments/moments.js';

useTestDatabase();

// 10:00 on 1 December 2026 in Shanghai, the organisations' timezone; campaigns are planned for noon.
const NOW = new Date('2026-12-01T02:00:00Z');
const NOON_LOCAL = '2026-12-01T12:00';
const AFTER_NOON = new Date('2026-12-01T04:01:00Z');

let app: Express;
let png: Buffer;
beforeAll(async () => {
  ({ app } = await buildTestApp());
  png = await pngBytes();
});
const clock = useFrozenClock(NOW);

type Fields = FormFields;

/** A campaign form as a browser sends it. */
const postCampaign = (agent: Agent, pagePath: string, action: string, fields: Fields, files: Buffer[] = []) =>
  postMultipart(
    agent,
    pagePath,
    action,
    fields,
    files.map((data, i) => ({ data, name: `p${i}.png` })),
  );

/** The cells of a completion row (name, published, skipped, open, total, rate). */
function completionRow(html: string, table: 'byStore' | 'byStaff', id: string): string[] {
  const start = html.indexOf(`data-testid="completion-${table}"`);
  if (start < 0) throw new Error(`no completion table ${table}`);
  const section = html.slice(start, html.indexOf('</table>', start));
  const row = new RegExp(`data-testid="row-${id}">(.*?)</tr>`).exec(section);
  if (!row) throw new Error(`no row ${id} in ${table}`);
  return [...row[1]!.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((m) => m[1]!);
}

const campaignFields = (storeId: Types.ObjectId, extra: Fields = {}): Fields => ({
  title: '双十二预热',
  kind: 'moment',
  text: '双十二全场八折',
  link: 'https://example.com/1212',
  storeIds: [String(storeId)],
  publishAt: NOON_LOCAL,
  ...extra,
});

async function team(settings: Parameters<typeof createOrgWithTeam>[0] = {}) {
  const base = await createOrgWithTeam(settings);
  const clerk2 = await createStaff(base.org._id, { roles: ['clerk'], storeId: base.store._id, realName: '第二位导购' });
  const otherClerk = await createStaff(base.org._id, { roles: ['clerk'], storeId: base.otherStore._id });
  const otherManager = await createStaff(base.org._id, { roles: ['manager'], storeId: base.otherStore._id });
  await createCustomer(base.org._id, { ownerId: base.clerk._id, storeId: base.store._id });
  return { ...base, clerk2, otherClerk, otherManager };
}

describe('the campaign pages', () => {
  it('lets a marketer plan, edit and cancel campaigns before they fire, and refuses a time in the past', async () => {
    const { org, store, marketer } = await team();
    const agent = await signIn(app, marketer.login, PASSWORD);
    const form = await agent.get('/campaigns/new').expect(200);
    expect(form.text).toContain(`id="f-store-${String(store._id)}"`);
    expect(form.text).toContain('min="2026-12-01T10:00"');

    const past = await postCampaign(agent, '/campaigns/new', '/campaigns', campaignFields(store._id, { publishAt: '2026-12-01T09:00' }), [png]);
    expect(past.status).toBe(400);
    expect(past.text).toContain('时间已过，请选择将来的时间。');
    expect(past.text).toContain('value="双十二预热"');
    expect(past.text).toMatch(new RegExp(`id="f-store-${String(store._id)}" value="${String(store._id)}" checked`));
    expect(past.text).toContain('浏览器无法保留已选的图片');
    expect(await Campaign.countDocuments({ orgId: org._id })).toBe(0);
    expect(await mongoose.connection.db!.collection('media.files').countDocuments({ 'metadata.orgId': org._id })).toBe(0);

    const created = await postCampaign(agent, '/campaigns/new', '/campaigns', campaignFields(store._id), [png]);
    expect(created.status).toBe(303);
    const campaign = await Campaign.findOne({ orgId: org._id }).lean();
    expect(created.headers.location).toBe(`/campaigns/${String(campaign!._id)}`);
    expect(campaign).toMatchObject({ title: '双十二预热', kind: 'moment', status: 'scheduled', publishAt: new Date('2026-12-01T04:00:00Z') });
    expect(campaign!.storeIds.map(String)).toEqual([String(store._id)]);
    expect(campaign!.imageIds).toHaveLength(1);

    const list = await agent.get('/campaigns').expect(200);
    expect(list.text).toContain(`<a href="/campaigns/${String(campaign!._id)}">双十二预热</a>`);
    expect(list.text).toContain('待发布');

    const detail = await agent.get(`/campaigns/${String(campaign!._id)}`).expect(200);
    expect(detail.text).toContain('value="2026-12-01T12:00"');
    expect(detail.text).toContain(`name="imageIds" id="f-keep-${String(campaign!.imageIds[0])}" value="${String(campaign!.imageIds[0])}" checked`);
    expect(detail.text).toContain(`action="/campaigns/${String(campaign!._id)}/cancel"`);

    const kept = String(campaign!.imageIds[0]);
    const edited = await postCampaign(
      agent,
      `/campaigns/${String(campaign!._id)}`,
      `/campaigns/${String(campaign!._id)}`,
      campaignFields(store._id, { title: '双十二预热（改）', publishAt: '2026-12-01T12:30', imageIds: [kept] }),
      [png],
    );
    expect(edited.status).toBe(303);
    const afterEdit = await Campaign.findOne({ orgId: org._id, _id: campaign!._id }).lean();
    expect(afterEdit).toMatchObject({ title: '双十二预热（改）', publishAt: new Date('2026-12-01T04:30:00Z') });
    expect(afterEdit!.imageIds.map(String)[0]).toBe(kept);
    expect(afterEdit!.imageIds).toHaveLength(2);

    const badEdit = await postCampaign(
      agent,
      `/campaigns/${String(campaign!._id)}`,
      `/campaigns/${String(campaign!._id)}`,
      campaignFields(store._id, { text: '', link: 'javascript:alert(1)' }),
    );
    expect(badEdit.status).toBe(400);
    expect(badEdit.text).toContain('链接只能是 http:// 或 https:// 开头的网址。');
    expect((await Campaign.findOne({ orgId: org._id, _id: campaign!._id }).lean())!.text).toBe('双十二全场八折');

    const cancelled = await postForm(agent, `/campaigns/${String(campaign!._id)}`, `/campaigns/${String(campaign!._id)}/cancel`, {});
    expect(cancelled.status).toBe(303);
    expect((await Campaign.findOne({ orgId: org._id, _id: campaign!._id }).lean())!.status).toBe('cancelled');
    const closedPage = await agent.get(`/campaigns/${String(campaign!._id)}`).expect(200);
    expect(testIdText(closedPage.text, 'status')).toBe('已取消');
    expect(closedPage.text).not.toContain('data-testid="campaign-form"');

    const again = await postForm(agent, `/campaigns/${String(campaign!._id)}`, `/campaigns/${String(campaign!._id)}/cancel`, {});
    expect(again.status).toBe(409);
    expect(again.text).toContain('活动已下发或已取消，不能再修改或取消。');
  });

  it('refuses tags for group posts and a personal tag of the marketer', async () => {
    const { org, store, marketer } = await team();
    const group = await createTagGroup(org._id, { name: '偏好' });
    const tag = await createTag(org._id, { groupId: group._id, name: '车厘子' });
    const personal = await createTag(org._id, { ownerId: marketer._id, name: '我的私人标签' });
    const agent = await signIn(app, marketer.login, PASSWORD);
    const form = await agent.get('/campaigns/new').expect(200);
    expect(form.text).toContain(`value="${String(tag._id)}"`);
    expect(form.text).not.toContain('我的私人标签');
    const groupWithTags = await postCampaign(agent, '/campaigns/new', '/campaigns', campaignFields(store._id, { kind: 'group', tagIds: [String(tag._id)] }));
    expect(groupWithTags.status).toBe(400);
    expect(groupWithTags.text).toContain('群发不按标签筛选，请清除标签。');
    const withPersonal = await postCampaign(agent, '/campaigns/new', '/campaigns', campaignFields(store._id, { tagIds: [String(personal._id)] }));
    expect(withPersonal.status).toBe(400);
    expect(withPersonal.text).toContain('包含未知的标签。');
    expect(await Campaign.countDocuments({ orgId: org._id })).toBe(0);
  });

  it("gives the store's clerks a task at the publish time: one publishes with one tap, one skips; completion per store and clerk", async () => {
    const { org, store, otherStore, marketer, manager, clerk, clerk2, otherClerk, otherManager } = await team();
    const planner = await signIn(app, marketer.login, PASSWORD);
    expect((await postCampaign(planner, '/campaigns/new', '/campaigns', campaignFields(store._id), [png])).status).toBe(303);
    const campaign = (await Campaign.findOne({ orgId: org._id }).lean())!;
    const path = `/campaigns/${String(campaign._id)}`;

    // Managers follow campaigns that reach their store; the other store's manager does not see this one.
    const ownManager = await signIn(app, manager.login, PASSWORD);
    expect((await ownManager.get('/campaigns').expect(200)).text).toContain('双十二预热');
    const own = await ownManager.get(path).expect(200);
    expect(own.text).not.toContain('data-testid="campaign-form"');
    expect(own.text).not.toContain('/cancel"');
    const outsider = await signIn(app, otherManager.login, PASSWORD);
    expect((await outsider.get('/campaigns').expect(200)).text).not.toContain('双十二预热');
    await outsider.get(path).expect(404);
    const clerkAgent = await signIn(app, clerk.login, PASSWORD);
    await clerkAgent.get('/campaigns').expect(403);
    await clerkAgent.get(path).expect(403);

    clock.set(AFTER_NOON);
    expect(await fireDueCampaigns()).toEqual({ campaigns: 1, tasks: 2 });
    expect(await fireDueCampaigns()).toEqual({ campaigns: 0, tasks: 0 });
    expect(await CampaignTask.countDocuments({ orgId: org._id, staffId: otherClerk._id })).toBe(0);

    const page = await clerkAgent.get('/moments').expect(200);
    expect(testIdText(page.text, 'quota')).toContain('今天还可发 3 条');
    const task = (await CampaignTask.findOne({ orgId: org._id, staffId: clerk._id }).lean())!;
    expect(page.text).toContain('双十二全场八折');
    expect(page.text).toContain('发到我的朋友圈');
    expect(page.text).toContain(`action="/moments/tasks/${String(task._id)}/publish"`);
    expect(page.text).toContain(`/media/${String(campaign.imageIds[0])}/thumb`);

    const published = await postForm(clerkAgent, '/moments', `/moments/tasks/${String(task._id)}/publish`, {});
    expect(published.status).toBe(303);
    const post = await SocialPost.findOne({ orgId: org._id, authorId: clerk._id }).lean();
    expect(post).toMatchObject({ text: '双十二全场八折', campaignId: campaign._id, link: 'https://example.com/1212', stats: { audience: 1, reached: 1 } });
    expect(post!.imageIds.map(String)).toEqual(campaign.imageIds.map(String));
    const afterPublish = await clerkAgent.get('/moments').expect(200);
    expect(testIdText(afterPublish.text, 'quota')).toContain('今天还可发 2 条');
    expect(afterPublish.text).not.toContain(`/moments/tasks/${String(task._id)}/publish`);
    expect(afterPublish.text).toContain('来自营销活动');

    // A second tap (another tab) publishes nothing more.
    const twice = await clerkAgent
      .post(`/moments/tasks/${String(task._id)}/publish`)
      .type('form')
      .send({ _csrf: await csrfFor(clerkAgent, '/moments') });
    expect(twice.status).toBe(409);
    expect(twice.text).toContain('这条任务已经处理过了。');
    expect(await SocialPost.countDocuments({ orgId: org._id })).toBe(1);

    const second = await signIn(app, clerk2.login, PASSWORD);
    const task2 = (await CampaignTask.findOne({ orgId: org._id, staffId: clerk2._id }).lean())!;
    expect((await postForm(second, '/moments', `/moments/tasks/${String(task2._id)}/skip`, {})).status).toBe(303);
    expect((await CampaignTask.findOne({ orgId: org._id, _id: task2._id }).lean())!.status).toBe('skipped');
    expect((await momentQuota(ctxFor(clerk2))).used).toBe(0);

    const report = await planner.get(path).expect(200);
    expect(testIdText(report.text, 'status')).toBe('已下发');
    expect(completionRow(report.text, 'byStore', String(store._id))).toEqual([store.name, '1', '1', '0', '2', '50%']);
    expect(completionRow(report.text, 'byStaff', String(clerk._id))).toEqual([clerk.realName, '1', '0', '0', '1', '100%']);
    expect(completionRow(report.text, 'byStaff', String(clerk2._id))).toEqual(['第二位导购', '0', '1', '0', '1', '0%']);
    expect(report.text).not.toContain('data-testid="campaign-form"');
    expect(report.text).not.toContain(`action="${path}/cancel"`);
    expect(report.text).not.toContain(String(otherStore._id));
    const managerReport = await ownManager.get(path).expect(200);
    expect(completionRow(managerReport.text, 'byStore', String(store._id))).toEqual([store.name, '1', '1', '0', '2', '50%']);

    // After firing, an edit or a cancel from a page opened earlier is told the campaign is closed.
    const lateEdit = await postCampaign(planner, path, path, campaignFields(store._id, { title: '太晚了', publishAt: '2026-12-02T12:00' }));
    expect(lateEdit.status).toBe(409);
    expect(lateEdit.text).toContain('活动已下发或已取消，不能再修改或取消。');
    const lateCancel = await postForm(planner, path, `${path}/cancel`, {});
    expect(lateCancel.status).toBe(409);
    expect(lateCancel.text).toContain('活动已下发或已取消，不能再修改或取消。');
    expect(await Campaign.findOne({ orgId: org._id, _id: campaign._id }).lean()).toMatchObject({ title: '双十二预热', status: 'fired' });
  });

  it('says what a campaign would reach as of now while it is written and once saved, and what a task actually reached', async () => {
    const { org, store, otherStore, marketer, clerk } = await team({ contactBudgetPerDay: 1 });
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id });
    const planner = await signIn(app, marketer.login, PASSWORD);
    const asOf = '按现在（2026-12-01 10:00）计算：';
    const later = '店员发布时以当时的实际情况为准。';

    const form = await planner.get('/campaigns/new').expect(200);
    expect(testIdText(form.text, 'reach-sentence')).toBe(`${asOf}将送达 2 人，未展示 0 人。${later}`);
    expect(form.text).toContain('data-reach-url="/campaigns/reach"');
    // The form's script asks again as the targets change: the other store has no clerk with customers.
    const other = await planner
      .get(`/campaigns/reach?kind=moment&storeIds=${String(otherStore._id)}`)
      .set('Accept', 'application/json')
      .expect(200);
    expect(other.body).toMatchObject({ audience: 0, reached: 0, heldBack: 0, asOf: NOW.toISOString(), sentence: `${asOf}将送达 0 人，未展示 0 人。${later}` });
    const clerkAgent = await signIn(app, clerk.login, PASSWORD);
    await clerkAgent.get('/campaigns/reach?kind=moment').set('Accept', 'application/json').expect(403);

    expect((await postCampaign(planner, '/campaigns/new', '/campaigns', campaignFields(store._id))).status).toBe(303);
    const campaign = (await Campaign.findOne({ orgId: org._id }).lean())!;
    const path = `/campaigns/${String(campaign._id)}`;
    expect((await planner.get(path).expect(200)).text).toContain(`活动已创建。${asOf}将送达 2 人，未展示 0 人。${later}`);

    // Meanwhile the clerk's own moment is each customer's touch of the day: the preview says so as of now...
    await publishMoment(ctxFor(clerk), { text: '上午的朋友圈' });
    const page = await planner.get(path).expect(200);
    expect(testIdText(page.text, 'reach-sentence')).toBe(`${asOf}将送达 0 人，未展示 2 人（2 人今天的联系次数已满）。${later}`);

    // ...and the task's confirmation says what actually happened when it was published.
    clock.set(AFTER_NOON);
    await fireDueCampaigns();
    const task = (await CampaignTask.findOne({ orgId: org._id, staffId: clerk._id }).lean())!;
    expect((await postForm(clerkAgent, '/moments', `/moments/tasks/${String(task._id)}/publish`, {})).status).toBe(303);
    expect((await clerkAgent.get('/moments').expect(200)).text).toContain('任务内容已发布。送达 0 人，未展示 2 人（2 人今天的联系次数已满）。');
  });

  it('explains a task refused by the quota and leaves it open', async () => {
    const { org, store, marketer, clerk } = await team({ momentsPerStaffPerDay: 1 });
    const planner = await signIn(app, marketer.login, PASSWORD);
    expect((await postCampaign(planner, '/campaigns/new', '/campaigns', campaignFields(store._id))).status).toBe(303);
    clock.set(AFTER_NOON);
    await fireDueCampaigns();
    const agent = await signIn(app, clerk.login, PASSWORD);
    const token = await csrfFor(agent, '/moments');
    expect((await agent.post(`/moments?_csrf=${encodeURIComponent(token)}`).field('text', '自己先发一条')).status).toBe(303);
    const task = (await CampaignTask.findOne({ orgId: org._id, staffId: clerk._id }).lean())!;
    const refused = await postForm(agent, '/moments', `/moments/tasks/${String(task._id)}/publish`, {});
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(refused.text).toContain('今天的朋友圈发布次数已用完，2026-12-02 00:00 后恢复。');
    expect(refused.text).toContain(`action="/moments/tasks/${String(task._id)}/publish"`);
    expect((await CampaignTask.findOne({ orgId: org._id, _id: task._id }).lean())!.status).toBe('open');
    expect(await SocialPost.countDocuments({ orgId: org._id })).toBe(1);
  });

  it('shows a group-post task with the group it goes to', async () => {
    const { org, store, marketer, clerk } = await team();
    await createCustomerGroup(org._id, { name: '水果爱好者群', storeId: store._id, ownerId: clerk._id });
    const otherStore = await createStore(org._id);
    await createCustomerGroup(org._id, { name: '别的店的群', storeId: otherStore._id, ownerId: clerk._id });
    const planner = await signIn(app, marketer.login, PASSWORD);
    expect((await postCampaign(planner, '/campaigns/new', '/campaigns', campaignFields(store._id, { kind: 'group' }))).status).toBe(303);
    clock.set(AFTER_NOON);
    expect((await fireDueCampaigns()).tasks).toBe(1);
    const agent = await signIn(app, clerk.login, PASSWORD);
    const page = await agent.get('/moments').expect(200);
    expect(page.text).toContain('发到客户群「水果爱好者群」');
    expect(page.text).not.toContain('别的店的群');
  });
});
