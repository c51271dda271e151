import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Express } from 'express';
import { useTestDatabase } from '../setup/db.js';
import { type FormFields, mediaFiles, pngBytes, postMultipart, testIdText } from '../setup/social.js';
import { buildTestApp, csrfFor, csrfTokenIn, signIn, type Agent } from '../setup/app.js';
import request from 'supertest';
import { createCustomer, createOrg, createOrgWithTeam, createStaff, createStore, createTag, createTagGroup, ctxFor, PASSWORD } from '../factories.js';
import { useFrozenClock } from '../setup/clock.js';
import { mongoose } from '../../server/db/connect.js';
import { Customer } from '../../server/models/customer.js';
import { PostComment, SocialPost } from '../../server/models/social-post.js';
import { TimelineEvent } from '../../server/models/timeline-event.js';
import { memberTokenFor } from '../../server/services/members/members.js';
import { socialLimits } from '../../server/domain/settings.js';
import { momentQuota } from '../../server/services/moments/moments.js';
import { addComment, setLike } from '../../server/services/members/feed.js';

useTestDatabase();

// 10:00 on 1 December 2026 in Shanghai (the organisations' timezone): the quota resets at midnight, 14 hours later.
const NOW = new Date('2026-12-01T02:00:00Z');
const SECONDS_TO_MIDNIGHT = 14 * 3600;

let app: Express;
let png: Buffer;
beforeAll(async () => {
  ({ app } = await buildTestApp());
  png = await pngBytes();
});
useFrozenClock(NOW);

type Fields = FormFields;

/** The composer's multipart form, as a browser sends it: CSRF in the action URL, fields, then the chosen files. */
const postMoment = (agent: Agent, fields: Fields, files: { data: Buffer; name: string }[] = []) => postMultipart(agent, '/moments', '/moments', fields, files);

async function clerkWithCustomers(settings: Parameters<typeof createOrg>[0] = {}, customers = 2) {
  const org = await createOrg(settings);
  const store = await createStore(org._id);
  const clerk = await createStaff(org._id, { roles: ['clerk'], storeId: store._id });
  const list = [];
  for (let i = 0; i < customers; i += 1) list.push(await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: `顾客${i}` }));
  return { org, store, clerk, customers: list };
}

describe('the moments page', () => {
  it('lets a clerk post with a picture, counts the quota down, and explains the fourth post of three', async () => {
    const { org, clerk } = await clerkWithCustomers({ momentsPerStaffPerDay: 3 });
    const agent = await signIn(app, clerk.login, PASSWORD);
    const first = await agent.get('/moments').expect(200);
    expect(testIdText(first.text, 'quota')).toBe('今天还可发 3 条（共 3 条），2026-12-02 00:00 重置');
    expect(first.text).toContain('accept="image/*" multiple');

    const posted = await postMoment(agent, { text: '新品到店 🍒', link: 'https://example.com/new', audienceMode: 'all' }, [{ data: png, name: 'cherry.png' }]);
    expect(posted.status).toBe(303);
    expect(posted.headers.location).toBe('/moments');
    const stored = await SocialPost.findOne({ orgId: org._id, authorId: clerk._id }).lean();
    expect(stored).toMatchObject({ kind: 'moment', text: '新品到店 🍒', link: 'https://example.com/new', stats: { audience: 2, reached: 2, heldBack: 0 } });
    expect(stored!.imageIds).toHaveLength(1);
    expect(await mediaFiles(org._id)).toBe(2); // the picture and its thumbnail

    const after = await agent.get('/moments').expect(200);
    expect(after.text).toContain('已发布。送达 2 人，未展示 0 人。');
    expect(testIdText(after.text, 'quota')).toBe('今天还可发 2 条（共 3 条），2026-12-02 00:00 重置');
    expect(after.text).toContain(`/media/${String(stored!.imageIds[0])}/thumb`);
    const thumb = await agent.get(`/media/${String(stored!.imageIds[0])}/thumb`).expect(200);
    expect(thumb.headers['content-type']).toBe('image/webp');
    expect(after.text).toContain(`href="/moments/${String(stored!._id)}"`);
    expect(testIdText(after.text, 'stat-reached')).toBe('2');

    expect((await postMoment(agent, { text: '第二条' })).status).toBe(303);
    expect((await postMoment(agent, { text: '第三条' })).status).toBe(303);
    const usedUp = await agent.get('/moments').expect(200);
    expect(testIdText(usedUp.text, 'quota')).toBe('今天还可发 0 条（共 3 条），2026-12-02 00:00 重置');
    expect(usedUp.text).toContain('data-testid="quota-used-up"');
    expect(usedUp.text).toMatch(/<fieldset disabled>/);

    // A fourth post from a page opened before the quota ran out (or a second tab): the form again, with the reason.
    const fourth = await postMoment(agent, { text: '第四条，不该发出' }, [{ data: png, name: 'late.png' }]);
    expect(fourth.status).toBe(429);
    expect(fourth.headers['retry-after']).toBe(String(SECONDS_TO_MIDNIGHT));
    expect(fourth.text).toContain('今天的朋友圈发布次数已用完，2026-12-02 00:00 后恢复。');
    expect(fourth.text).toContain('第四条，不该发出');
    expect(await SocialPost.countDocuments({ orgId: org._id })).toBe(3);
    expect(await mediaFiles(org._id)).toBe(2);
    expect((await momentQuota(ctxFor(clerk))).used).toBe(3);
  });

  it('refuses bad input on the form, keeps what was typed, and writes and spends nothing', async () => {
    const { org, clerk } = await clerkWithCustomers();
    const otherOrg = await createOrg();
    const foreignTag = await createTag(otherOrg._id, { name: '别家的标签' });
    const agent = await signIn(app, clerk.login, PASSWORD);
    const ten = Array.from({ length: 10 }, (_, i) => ({ data: png, name: `p${i}.png` }));
    const cases: { fields: Fields; files?: { data: Buffer; name: string }[]; message: string; kept?: string }[] = [
      {
        fields: { text: '   ', link: 'https://example.com/kept' },
        files: [{ data: png, name: 'a.png' }],
        message: '必填。',
        kept: 'value="https://example.com/kept"',
      },
      { fields: { text: '十张图' }, files: ten, message: '最多 9 张图片。', kept: '十张图' },
      {
        fields: { text: '假图片' },
        files: [{ data: Buffer.from('just some words, not a picture'), name: 'x.jpg' }],
        message: '只能发送 JPG、PNG、WebP 或 GIF 图片。',
        kept: '假图片',
      },
      { fields: { text: '危险链接', link: 'javascript:alert(1)' }, message: '链接只能是 http:// 或 https:// 开头的网址。', kept: '危险链接' },
      { fields: { text: '别家标签', audienceMode: 'tags', tagIds: [String(foreignTag._id)] }, message: '包含未知的标签。', kept: '别家标签' },
      { fields: { text: '选了按标签却没选标签', audienceMode: 'tags' }, message: '必填。', kept: 'id="f-audience-tags" value="tags" checked' },
    ];
    for (const c of cases) {
      const res = await postMoment(agent, c.fields, c.files);
      expect({ text: c.fields.text, status: res.status }).toEqual({ text: c.fields.text, status: 400 });
      expect(res.text).toContain(c.message);
      if (c.kept) expect(res.text).toContain(c.kept);
      if (c.files?.length) expect(res.text).toContain('浏览器无法保留已选的图片');
      else expect(res.text).not.toContain('data-testid="images-lost"');
    }
    expect(await SocialPost.countDocuments({ orgId: org._id })).toBe(0);
    expect(await mediaFiles(org._id)).toBe(0);
    expect((await momentQuota(ctxFor(clerk))).used).toBe(0);
    expect(testIdText((await agent.get('/moments').expect(200)).text, 'quota')).toContain('今天还可发 3 条');
  });

  it('posts to the customers with a chosen tag only', async () => {
    const { org, clerk, customers } = await clerkWithCustomers({}, 3);
    const group = await createTagGroup(org._id, { name: '会员' });
    const vip = await createTag(org._id, { groupId: group._id, name: 'VIP' });
    await Customer.updateOne({ orgId: org._id, _id: customers[0]!._id }, { $set: { tagIds: [vip._id] } });
    const agent = await signIn(app, clerk.login, PASSWORD);
    const page = await agent.get('/moments').expect(200);
    expect(page.text).toContain(`value="${String(vip._id)}"`);
    // "All my customers" ignores ticks left behind in the tag picker.
    expect((await postMoment(agent, { text: '给所有人', audienceMode: 'all', tagIds: [String(vip._id)] })).status).toBe(303);
    expect((await postMoment(agent, { text: '只给 VIP', audienceMode: 'tags', tagIds: [String(vip._id)] })).status).toBe(303);
    const [toAll, toVip] = await SocialPost.find({ orgId: org._id }).sort({ _id: 1 }).lean();
    expect(toAll).toMatchObject({ audienceTagIds: [], stats: { audience: 3 } });
    expect(toVip!.audienceTagIds.map(String)).toEqual([String(vip._id)]);
    expect(toVip!.stats.audience).toBe(1);
    const list = await agent.get('/moments').expect(200);
    expect(list.text).toContain('<span class="badge text-bg-light">VIP</span>');
  });

  it('says before posting how many the chosen audience reaches and why the rest would be held back, then confirms what happened', async () => {
    const { org, clerk, customers } = await clerkWithCustomers({ momentsPerCustomerPerDay: 1, contactBudgetPerDay: 3 }, 3);
    const group = await createTagGroup(org._id, { name: '会员' });
    const vip = await createTag(org._id, { groupId: group._id, name: 'VIP' });
    await Customer.updateOne({ orgId: org._id, _id: customers[0]!._id }, { $set: { tagIds: [vip._id] } });
    const agent = await signIn(app, clerk.login, PASSWORD);
    const page = await agent.get('/moments').expect(200);
    expect(testIdText(page.text, 'reach-sentence')).toBe('将送达 3 人，未展示 0 人。');
    expect(page.text).toContain('data-reach-url="/moments/reach"');

    expect((await postMoment(agent, { text: '只给 VIP', audienceMode: 'tags', tagIds: [String(vip._id)] })).status).toBe(303);
    expect((await agent.get('/moments').expect(200)).text).toContain('已发布。送达 1 人，未展示 0 人。');
    // The composer's script asks again when the audience changes; the page opens on "all my customers".
    const all = await agent.get('/moments/reach?audienceMode=all').set('Accept', 'application/json').expect(200);
    expect(all.body).toEqual({
      audience: 3,
      reached: 2,
      heldBack: 1,
      heldBackBy: { customer_cap: 1, contact_budget: 0 },
      sentence: '将送达 2 人，未展示 1 人（1 人今天可看的朋友圈已满）。',
    });
    const tagged = await agent
      .get(`/moments/reach?audienceMode=tags&tagIds=${String(vip._id)}`)
      .set('Accept', 'application/json')
      .expect(200);
    expect(tagged.body).toMatchObject({ audience: 1, reached: 0, heldBack: 1 });
    // "Customers with the chosen tags" before a tag is ticked reaches nobody yet.
    expect((await agent.get('/moments/reach?audienceMode=tags').set('Accept', 'application/json').expect(200)).body).toMatchObject({ audience: 0, reached: 0 });
    expect(testIdText((await agent.get('/moments').expect(200)).text, 'reach-sentence')).toBe(all.body.sentence);

    expect((await postMoment(agent, { text: '给所有人', audienceMode: 'all' })).status).toBe(303);
    expect((await agent.get('/moments').expect(200)).text).toContain(`已发布。送达 2 人，未展示 1 人（1 人今天可看的朋友圈已满）。`);
    // A form shown again keeps its audience, and so does its preview.
    const again = await postMoment(agent, { text: '', audienceMode: 'tags', tagIds: [String(vip._id)] });
    expect(again.status).toBe(400);
    expect(testIdText(again.text, 'reach-sentence')).toBe('将送达 0 人，未展示 1 人（1 人今天可看的朋友圈已满）。');
  });

  it('shows on the post how many it reached and why the rest were held back', async () => {
    const { org, clerk, customers } = await clerkWithCustomers({ momentsPerCustomerPerDay: 1 }, 2);
    const agent = await signIn(app, clerk.login, PASSWORD);
    expect((await postMoment(agent, { text: '第一条' })).status).toBe(303);
    expect((await postMoment(agent, { text: '第二条' })).status).toBe(303);
    const [first, second] = await SocialPost.find({ orgId: org._id }).sort({ _id: 1 }).lean();

    const member = { orgId: String(org._id), customerId: String(customers[0]!._id) };
    await setLike(member, String(first!._id), true);
    await addComment(member, String(first!._id), '好看！');

    const firstPage = await agent.get(`/moments/${String(first!._id)}`).expect(200);
    expect([testIdText(firstPage.text, 'stat-audience'), testIdText(firstPage.text, 'stat-reached'), testIdText(firstPage.text, 'stat-held')]).toEqual([
      '2',
      '2',
      '0',
    ]);
    expect(firstPage.text).toContain(`<a href="/customers/${String(customers[0]!._id)}">顾客0</a>`);
    expect(firstPage.text).toContain('好看！');

    const secondPage = await agent.get(`/moments/${String(second!._id)}`).expect(200);
    expect([
      testIdText(secondPage.text, 'stat-reached'),
      testIdText(secondPage.text, 'stat-held'),
      testIdText(secondPage.text, 'stat-held-cap'),
      testIdText(secondPage.text, 'stat-held-budget'),
    ]).toEqual(['0', '2', '2', '0']);
    expect(secondPage.text).toContain('还没有人点赞。');

    const list = await agent.get('/moments').expect(200);
    expect(list.text).toMatch(/data-testid="stat-held">2</);
  });

  it('escapes what was written on the list and on the post', async () => {
    const { org, clerk } = await clerkWithCustomers({}, 1);
    const agent = await signIn(app, clerk.login, PASSWORD);
    const text = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    expect((await postMoment(agent, { text })).status).toBe(303);
    const post = await SocialPost.findOne({ orgId: org._id }).lean();
    for (const path of ['/moments', `/moments/${String(post!._id)}`]) {
      const page = await agent.get(path).expect(200);
      expect(page.text).not.toContain('<script>alert(1)');
      expect(page.text).not.toContain('<img src=x onerror');
      expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src&#x3D;x onerror&#x3D;alert(2)&gt;');
    }
  });

  it("lets a marketer read the posts without a composer, and keeps other stores' posts from a manager", async () => {
    const { org, store, clerk, marketer } = await createOrgWithTeam();
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id });
    const otherStore = await createStore(org._id);
    const otherManager = await createStaff(org._id, { roles: ['manager'], storeId: otherStore._id });
    const clerkAgent = await signIn(app, clerk.login, PASSWORD);
    expect((await postMoment(clerkAgent, { text: '门店上新' })).status).toBe(303);
    const post = await SocialPost.findOne({ orgId: org._id }).lean();

    const reader = await signIn(app, marketer.login, PASSWORD);
    const page = await reader.get('/moments').expect(200);
    expect(page.text).not.toContain('data-testid="composer"');
    expect(page.text).not.toContain('data-testid="tasks"');
    expect(page.text).toContain('门店上新');
    const posted = await reader
      .post('/moments')
      .type('form')
      .send({ _csrf: await csrfFor(reader, '/moments'), text: '运营不能发' });
    expect(posted.status).toBe(403);

    const manager = await signIn(app, otherManager.login, PASSWORD);
    expect((await manager.get('/moments').expect(200)).text).not.toContain('门店上新');
    await manager.get(`/moments/${String(post!._id)}`).expect(404);
  });
});

describe('replies under customers’ comments', () => {
  /** A clerk's moment with one customer's comment on it. */
  async function commentedMoment() {
    const team = await createOrgWithTeam();
    const customer = await createCustomer(team.org._id, { ownerId: team.clerk._id, storeId: team.store._id, name: '周女士' });
    const clerkAgent = await signIn(app, team.clerk.login, PASSWORD);
    expect((await postMoment(clerkAgent, { text: '冬季新品' })).status).toBe(303);
    const post = await SocialPost.findOne({ orgId: team.org._id }).lean();
    const postId = String(post!._id);
    await addComment({ orgId: String(team.org._id), customerId: String(customer._id) }, postId, '有红色的吗？');
    const comment = await PostComment.findOne({ orgId: team.org._id, postId: post!._id }).lean();
    return { ...team, customer, clerkAgent, postId, commentId: String(comment!._id) };
  }

  const replyPath = (postId: string, commentId: string) => `/moments/${postId}/comments/${commentId}/replies`;

  it('lets the author answer under the comment: labelled form, stored with the comment, in the customer’s timeline and on her page, escaped', async () => {
    const { org, clerk, customer, clerkAgent, postId, commentId } = await commentedMoment();
    const detail = await clerkAgent.get(`/moments/${postId}`).expect(200);
    expect(detail.text).toMatch(new RegExp(`<label[^>]*for="reply-${commentId}"[^>]*>回复这条评论</label>`));
    expect(detail.text).toMatch(new RegExp(`<textarea[^>]*id="reply-${commentId}"[^>]*maxlength="${socialLimits.commentMax}"`));

    const sent = await clerkAgent
      .post(replyPath(postId, commentId))
      .type('form')
      .send({ _csrf: csrfTokenIn(detail.text), text: ' 有的，<b>明天</b>到货 ' });
    expect(sent.status).toBe(303);
    expect(sent.headers.location).toBe(`/moments/${postId}#comment-${commentId}`);
    const stored = await PostComment.findOne({ orgId: org._id, _id: new mongoose.Types.ObjectId(commentId) }).lean();
    expect(stored!.replies).toMatchObject([{ staffId: clerk._id, text: '有的，<b>明天</b>到货' }]);
    expect(await TimelineEvent.findOne({ orgId: org._id, customerId: customer._id, type: 'post.replied' }).lean()).toMatchObject({
      actorId: clerk._id,
      data: { postId, commentId },
    });

    const again = await clerkAgent.get(`/moments/${postId}`).expect(200);
    expect(again.text).toContain('回复已发送');
    expect(again.text).toContain('有的，&lt;b&gt;明天&lt;/b&gt;到货');

    const customerPage = await request(app)
      .get(`/my/${String(org._id)}`)
      .set('Cookie', `sl_member=${memberTokenFor(customer)}`)
      .expect(200);
    expect(customerPage.text).toMatch(/data-testid="shop-reply"><span class="fw-semibold">店家回复<\/span>: 有的，&lt;b&gt;明天&lt;\/b&gt;到货/);
    expect(customerPage.text).not.toContain('<b>明天');
  });

  it('refuses an empty or too long reply with a message on the page, writing nothing', async () => {
    const { org, clerkAgent, postId, commentId } = await commentedMoment();
    for (const text of ['   ', 'x'.repeat(socialLimits.commentMax + 1)]) {
      const res = await clerkAgent
        .post(replyPath(postId, commentId))
        .type('form')
        .send({ _csrf: await csrfFor(clerkAgent, `/moments/${postId}`), text });
      expect(res.status).toBe(400);
      expect(res.text).toMatch(new RegExp(`id="reply-${commentId}-error" role="alert">[^<]+<`));
      expect(res.text).toMatch(new RegExp(`id="reply-${commentId}"[^>]*aria-invalid="true"`));
    }
    expect((await PostComment.findOne({ orgId: org._id, _id: new mongoose.Types.ObjectId(commentId) }).lean())!.replies).toEqual([]);
    expect(await TimelineEvent.countDocuments({ orgId: org._id, type: 'post.replied' })).toBe(0);
  });

  it('lets the store’s manager answer, but not a marketer, another clerk or another store’s manager, nor another organisation', async () => {
    const { org, store, manager, marketer, postId, commentId } = await commentedMoment();
    const otherClerk = await createStaff(org._id, { roles: ['clerk'], storeId: store._id });
    const otherManager = await createStaff(org._id, { roles: ['manager'], storeId: (await createStore(org._id))._id });
    const foreign = await createOrgWithTeam();
    const tries: [typeof manager, number][] = [
      [marketer, 403],
      [otherClerk, 404],
      [otherManager, 404],
      [foreign.admin, 404],
    ];
    for (const [staff, status] of tries) {
      const agent = await signIn(app, staff.login, PASSWORD);
      const page = await agent.get('/customers').expect(200);
      const res = await agent
        .post(replyPath(postId, commentId))
        .type('form')
        .send({ _csrf: csrfTokenIn(page.text), text: '不该写入' });
      expect([staff.login, res.status]).toEqual([staff.login, status]);
    }
    const marketerPage = await (await signIn(app, marketer.login, PASSWORD)).get(`/moments/${postId}`).expect(200);
    expect(marketerPage.text).not.toContain('data-testid="reply-form"');
    expect((await PostComment.findOne({ orgId: org._id, _id: new mongoose.Types.ObjectId(commentId) }).lean())!.replies).toEqual([]);

    const managerAgent = await signIn(app, manager.login, PASSWORD);
    const detail = await managerAgent.get(`/moments/${postId}`).expect(200);
    expect(detail.text).toContain('data-testid="reply-form"');
    expect(
      (
        await managerAgent
          .post(replyPath(postId, commentId))
          .type('form')
          .send({ _csrf: csrfTokenIn(detail.text), text: '店长回复' })
      ).status,
    ).toBe(303);
    expect((await PostComment.findOne({ orgId: org._id, _id: new mongoose.Types.ObjectId(commentId) }).lean())!.replies).toMatchObject([
      { staffId: manager._id, text: '店长回复' },
    ]);
  });
});

describe('what is new on a clerk’s moments', () => {
  const navBadge = (html: string) =>
    /href="\/moments"[^>]*>[^<]*(?:<span class="visually-hidden">[^<]*<\/span>)?\s*<span class="badge[^"]*"[^>]*>(\d+)</.exec(html)?.[1] ?? null;

  it('counts customers’ comments and first likes since the author last looked, on the menu and on the post, until she opens it', async () => {
    const { org, clerk, customers } = await clerkWithCustomers({}, 2);
    const agent = await signIn(app, clerk.login, PASSWORD);
    expect((await postMoment(agent, { text: '周末特惠' })).status).toBe(303);
    const post = await SocialPost.findOne({ orgId: org._id }).lean();
    const postId = String(post!._id);
    const quiet = await agent.get('/moments').expect(200);
    expect(navBadge(quiet.text)).toBeNull();
    expect(quiet.text).not.toContain('data-testid="post-unseen"');

    const [first, second] = customers.map((c) => ({ orgId: String(org._id), customerId: String(c._id) }));
    await setLike(first!, postId, true);
    await setLike(first!, postId, false);
    await setLike(first!, postId, true); // liking again is not news twice
    await addComment(second!, postId, '几点开门？');
    const news = await agent.get('/moments').expect(200);
    expect(navBadge(news.text)).toBe('2');
    expect(testIdText(news.text, 'post-unseen')).toBe('2 条新互动');

    await agent.get(`/moments/${postId}`).expect(200);
    const seen = await agent.get('/moments').expect(200);
    expect(navBadge(seen.text)).toBeNull();
    expect(seen.text).not.toContain('data-testid="post-unseen"');

    await addComment(first!, postId, '好的');
    expect(navBadge((await agent.get('/customers').expect(200)).text)).toBe('1');
  });

  it('is the author’s news only: her manager opening the moment leaves it, and sees no badge of hers', async () => {
    const { org, store, clerk, manager } = await createOrgWithTeam();
    const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id });
    const clerkAgent = await signIn(app, clerk.login, PASSWORD);
    expect((await postMoment(clerkAgent, { text: '到货通知' })).status).toBe(303);
    const post = await SocialPost.findOne({ orgId: org._id }).lean();
    await addComment({ orgId: String(org._id), customerId: String(customer._id) }, String(post!._id), '收到');

    const managerAgent = await signIn(app, manager.login, PASSWORD);
    const managerList = await managerAgent.get('/moments').expect(200);
    expect(navBadge(managerList.text)).toBeNull();
    expect(managerList.text).not.toContain('data-testid="post-unseen"');
    await managerAgent.get(`/moments/${String(post!._id)}`).expect(200);
    expect(navBadge((await clerkAgent.get('/moments').expect(200)).text)).toBe('1');
  });
});
