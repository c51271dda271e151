import { describe, expect, it, beforeAll, beforeEach } from '@jest/globals';
import type { Express } from 'express';
import request from 'supertest';
import sharp from 'sharp';
import { useTestDatabase } from '../setup/db.js';
import { linkIn, openLink, pngBytes } from '../setup/social.js';
import { buildTestApp, csrfTokenIn, signIn, type Agent } from '../setup/app.js';
import { createCustomer, createOrg, createStaff, createStore, ctxFor, PASSWORD } from '../factories.js';
import { CustomerGroup, GroupMember } from '../../server/models/customer-group.js';
import { Customer } from '../../server/models/customer.js';
import { TimelineEvent } from '../../server/models/timeline-event.js';
import { PostComment, SocialPost } from '../../server/models/social-post.js';
import { createGroup, addMember, archiveGroup, createFollowOnGroup } from '../../server/services/groups/groups.js';
import { publishGroupPost } from '../../server/services/groups/group-posts.js';
import { publishMoment } from '../../server/services/moments/moments.js';
import { mongoose } from '../../server/db/connect.js';
import { ChatChannel } from '../../server/models/chat-channel.js';
import { createChannel } from '../setup/chat.js';
import { socialLimits, type OrgSettings } from '../../server/domain/settings.js';

useTestDatabase();

let app: Express;
beforeAll(async () => {
  ({ app } = await buildTestApp());
});
// Every request here comes from the same address: each test starts with the per-address join count at zero.
beforeEach(async () => {
  await mongoose.connection.db!.collection('group_public_limits').deleteMany({});
  await mongoose.connection.db!.collection('member_public_limits').deleteMany({});
});

const png = pngBytes;
const EVIL = '<script>alert(1)</script><img src=x onerror=alert(2)>';

/** An organisation with a store, its clerk and a group of hers; the contact budget off unless asked. */
async function shop(settings: Partial<OrgSettings> = {}, group: { name?: string; notice?: string; cap?: number } = {}) {
  const org = await createOrg({ contactBudgetPerDay: 0, ...settings });
  const store = await createStore(org._id, { name: '徐汇店' });
  const clerk = await createStaff(org._id, { roles: ['clerk'], storeId: store._id });
  const ctx = ctxFor(clerk);
  const created = await createGroup(ctx, { name: group.name ?? '水果群', notice: group.notice ?? '', cap: group.cap ?? null });
  return { org, store, clerk, ctx, group: created, orgId: String(org._id) };
}

/** A customer's phone browser: the invite page, then its form with the page's CSRF token. */
async function join(key: string, fields: { name: string; phone: string }, browser: Agent = request.agent(app)) {
  const form = await browser.get(`/g/${key}`).expect(200);
  const res = await browser
    .post(`/g/${key}/join`)
    .type('form')
    .send({ ...fields, _csrf: csrfTokenIn(form.text) });
  return { browser, res };
}

/** A form on the customer page, posted with that page's CSRF token. */
async function onMyPage(browser: Agent, orgId: string, path: string, fields: Record<string, string>) {
  const page = await browser.get(`/my/${orgId}`).expect(200);
  return browser
    .post(path)
    .type('form')
    .send({ ...fields, _csrf: csrfTokenIn(page.text) });
}

const phone = (n: number) => `139${String(n).padStart(8, '0')}`;

describe('the group invite page', () => {
  it('shows the group and a labelled form; joining creates the customer for the group’s clerk, remembers the device and opens the customer page', async () => {
    const { org, clerk, group, orgId } = await shop({}, { name: '芒果群', notice: '每周五\n特价' });
    const { browser, res: invite } = await join(group.inviteKey, { name: '赵女士', phone: '139 0000 0001' });
    const form = await browser.get(`/g/${group.inviteKey}`).expect(200);
    expect(form.text).toContain('芒果群');
    expect(form.text).toContain('徐汇店');
    // Line breaks are kept as typed, in a pre-wrap block.
    expect(form.text).toMatch(/class="[^"]*chat-text[^"]*"[^>]*>每周五\r?\n特价/);
    expect(form.text).toMatch(/<label for="f-phone"[^>]*>手机号<\/label>\s*<input id="f-phone" name="phone" type="tel"[^>]*autocomplete="tel" inputmode="tel"/);
    expect(form.text).toMatch(/<label for="f-name"[^>]*>你的称呼<\/label>/);

    expect(invite.status).toBe(303);
    expect(invite.headers.location).toBe(`/my/${orgId}`);
    const cookie = ([] as string[]).concat(invite.headers['set-cookie'] ?? []).find((c) => c.startsWith('sl_member='));
    expect(cookie).toMatch(new RegExp(`Max-Age=${socialLimits.memberTokenDays * 86400}`));
    expect(cookie).toMatch(new RegExp(`Path=/my/${orgId};`));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);

    const customer = await Customer.findOne({ orgId: org._id, phoneTail: '0001' }).lean();
    expect(customer).toMatchObject({ name: '赵女士', phone: '+8613900000001', source: 'online', ownerId: clerk._id });
    expect(await GroupMember.countDocuments({ orgId: org._id, groupId: group._id, customerId: customer!._id })).toBe(1);

    const page = await browser.get(`/my/${orgId}`).expect(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toContain('data-testid="member-group"');
    expect(page.text).toContain('芒果群');
    // Line breaks are kept as typed, in a pre-wrap block.
    expect(page.text).toMatch(/class="[^"]*chat-text[^"]*"[^>]*>每周五\r?\n特价/);
    expect(page.text).not.toContain('13900000001');
    expect((await browser.get(`/g/${group.inviteKey}`).expect(200)).text).toContain('1 / 600 人');
  });

  it('confirms a first join on the customer page it lands on, once', async () => {
    const { group, orgId } = await shop({}, { name: '鲜果群' });
    const { browser, res } = await join(group.inviteKey, { name: '钱女士', phone: phone(92) });
    expect(res.headers.location).toBe(`/my/${orgId}`);
    const landed = await browser.get(`/my/${orgId}`).expect(200);
    expect(landed.text).toMatch(/role="status"[^>]*>已加入「鲜果群」/);
    expect((await browser.get(`/my/${orgId}`).expect(200)).text).not.toContain('已加入「鲜果群」');
  });

  it('links a known number to the CRM customer without letting the device in as that customer', async () => {
    const { org, store, clerk, group, orgId } = await shop();
    const known = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '老客户' });
    const { browser, res } = await join(group.inviteKey, { name: '随便写', phone: known.phone });
    expect(res.status).toBe(303);
    expect(await Customer.countDocuments({ orgId: org._id })).toBe(1);
    expect(await GroupMember.countDocuments({ orgId: org._id, groupId: group._id, customerId: known._id })).toBe(1);
    expect((await Customer.findOne({ orgId: org._id, _id: known._id }).lean())?.name).toBe('老客户');
    // Typing someone's number proves nothing: no cookie, and the page says to open the clerk's personal link.
    expect(([] as string[]).concat(res.headers['set-cookie'] ?? []).some((c) => c.startsWith('sl_member='))).toBe(false);
    expect(res.headers.location).toBe(`/my/${orgId}/joined/${String(group._id)}`);
    const joined = await browser.get(res.headers.location as string).expect(200);
    expect(joined.text).toContain('data-testid="member-joined"');
    expect(joined.text).toContain('专属链接');
    await browser.get(`/my/${orgId}`).expect(401);
  });

  it('takes a customer already remembered on this device straight to their page when they join another group', async () => {
    const { org, ctx, group, orgId } = await shop();
    const { browser } = await join(group.inviteKey, { name: '韩女士', phone: phone(91) });
    const second = await createGroup(ctx, { name: '第二个群', notice: '' });
    const { res } = await join(second.inviteKey, { name: '韩女士', phone: phone(91) }, browser);
    expect(res.headers.location).toBe(`/my/${orgId}/joined/${String(second._id)}`);
    const onward = await browser.get(res.headers.location as string).expect(303);
    expect(onward.headers.location).toBe(`/my/${orgId}`);
    const page = await browser.get(`/my/${orgId}`).expect(200);
    expect(page.text).toContain('已加入「第二个群」');
    expect(page.text).toContain('第二个群');
    expect(await GroupMember.countDocuments({ orgId: org._id })).toBe(2);
  });

  it('lets a customer in through the personal link their clerk shares, until the clerk signs the page out everywhere', async () => {
    const { org, store, clerk, ctx, group, orgId } = await shop();
    const known = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '老客户' });
    await addMember(ctx, String(group._id), String(known._id));
    const staff = await signIn(app, clerk.login, PASSWORD);
    const detail = await staff.get(`/customers/${known._id}`).expect(200);
    expect(detail.text).toContain(`href="/customers/${known._id}/page-link"`);
    // A new link is a POST; the link page (a GET) then shows it.
    const issueLink = async () => {
      await staff
        .post(`/customers/${known._id}/page-link`)
        .type('form')
        .send({ _csrf: csrfTokenIn(detail.text) })
        .expect(303);
      return staff.get(`/customers/${known._id}/page-link`).expect(200);
    };
    const linkPage = await issueLink();
    expect(linkPage.headers['cache-control']).toBe('no-store');
    expect(linkPage.text).toMatch(/<label for="member-link"/);
    const url = linkIn(linkPage.text);
    expect(url.pathname).toBe(`/my/${orgId}/enter`);

    const phone = request.agent(app);
    // Opening the link only offers to sign in (previews and scanners open links too); the customer's tap does.
    const offer = await phone.get(`${url.pathname}${url.search}`).expect(200);
    expect(offer.headers['cache-control']).toBe('no-store');
    expect(offer.text).toContain('data-testid="member-enter"');
    expect(([] as string[]).concat(offer.headers['set-cookie'] ?? []).some((c) => c.startsWith('sl_member='))).toBe(false);
    const entered = await openLink(phone, url);
    expect(entered.status).toBe(303);
    expect(entered.headers.location).toBe(`/my/${orgId}`);
    expect((await phone.get(`/my/${orgId}`).expect(200)).text).toContain('水果群');
    // A link works once: a forwarded copy or a screenshot of its QR code lets nobody else in.
    expect((await openLink(request.agent(app), url)).status).toBe(401);
    // Only the latest link works: a new one voids one given out before and not yet opened.
    const older = linkIn((await issueLink()).text);
    const newer = linkIn((await issueLink()).text);
    expect((await openLink(request.agent(app), older)).status).toBe(401);
    expect((await openLink(request.agent(app), newer)).status).toBe(303);
    // A forged or altered link lets nobody in.
    const altered = new URL(url);
    altered.searchParams.set('token', url.searchParams.get('token')!.replace(/.$/, 'x'));
    expect((await openLink(request.agent(app), altered)).status).toBe(401);
    // Another clerk's customer: no link for her.
    const other = await createStaff(org._id, { roles: ['clerk'], storeId: store._id });
    const otherBrowser = await signIn(app, other.login, PASSWORD);
    const otherToken = csrfTokenIn((await otherBrowser.get('/customers').expect(200)).text);
    await otherBrowser.post(`/customers/${known._id}/page-link`).type('form').send({ _csrf: otherToken }).expect(404);

    const signOutForm = csrfTokenIn(linkPage.text);
    await staff.post(`/customers/${known._id}/page-link/sign-out`).type('form').send({ _csrf: signOutForm }).expect(303);
    await phone.get(`/my/${orgId}`).expect(401);
    // Signing out also voids a link not yet opened.
    const unopened = linkIn((await issueLink()).text);
    await staff.post(`/customers/${known._id}/page-link/sign-out`).type('form').send({ _csrf: signOutForm }).expect(303);
    expect((await openLink(request.agent(app), unopened)).status).toBe(401);
  });

  it('refuses a bad number on the form, keeping what was typed, and creates nothing', async () => {
    const { org, group } = await shop();
    const { res } = await join(group.inviteKey, { name: '钱先生', phone: '12345' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('value="钱先生"');
    expect(res.text).toContain('value="12345"');
    expect(res.text).toContain('手机号无效');
    expect(res.headers['set-cookie'] ?? []).not.toEqual(expect.arrayContaining([expect.stringMatching(/^sl_member=/)]));
    expect(await Customer.countDocuments({ orgId: org._id })).toBe(0);
    expect(await GroupMember.countDocuments({ orgId: org._id })).toBe(0);
  });

  it('says a full group is full with no form, refuses a join posted anyway, and sends joiners on to a follow-on group', async () => {
    const { org, store, clerk, ctx, group } = await shop({}, { name: '小群', cap: 2 });
    // The visitor opened the page while there was still room; the group then filled up.
    const browser = request.agent(app);
    const token = csrfTokenIn((await browser.get(`/g/${group.inviteKey}`).expect(200)).text);
    for (const c of await Promise.all([1, 2].map(() => createCustomer(org._id, { ownerId: clerk._id, storeId: store._id }))))
      await addMember(ctx, String(group._id), String(c._id));
    const full = await browser.get(`/g/${group.inviteKey}`).expect(200);
    expect(full.text).toContain('data-testid="group-full"');
    expect(full.text).toContain('这个群已满');
    expect(full.text).not.toContain('data-testid="join-form"');
    const refused = await browser
      .post(`/g/${group.inviteKey}/join`)
      .type('form')
      .send({ name: '孙女士', phone: phone(11), _csrf: token });
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('这个群已满');
    expect(refused.text).not.toContain('错误代码');
    expect(await GroupMember.countDocuments({ orgId: org._id, groupId: group._id })).toBe(2);
    // Nobody who could not join is left in the CRM.
    expect(await Customer.countDocuments({ orgId: org._id, phoneTail: '0011' })).toBe(0);

    const next = await createFollowOnGroup(ctx, String(group._id));
    const { res } = await join(group.inviteKey, { name: '孙女士', phone: phone(11) }, browser);
    expect(res.status).toBe(303);
    const customer = await Customer.findOne({ orgId: org._id, phoneTail: '0011' }).lean();
    expect(await GroupMember.countDocuments({ orgId: org._id, groupId: next._id, customerId: customer!._id })).toBe(1);
    expect(await GroupMember.countDocuments({ orgId: org._id, groupId: group._id })).toBe(2);
    expect((await browser.get(`/my/${String(org._id)}`).expect(200)).text).toContain('小群 2');
  });

  it('escapes a notice holding markup on the invite page and the customer page', async () => {
    const { group, orgId } = await shop({}, { name: '安全群', notice: EVIL });
    const { browser } = await join(group.inviteKey, { name: EVIL.slice(0, 60), phone: phone(21) });
    for (const path of [`/g/${group.inviteKey}`, `/my/${orgId}`]) {
      const page = await browser.get(path).expect(200);
      expect(page.text).not.toContain('<script>alert(1)');
      expect(page.text).not.toContain('<img src=x');
      expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src&#x3D;x onerror&#x3D;alert(2)&gt;');
    }
  });

  it('limits joins per address and says so on the form', async () => {
    const { group } = await shop();
    const browser = request.agent(app);
    const form = await browser.get(`/g/${group.inviteKey}`).expect(200);
    const token = csrfTokenIn(form.text);
    for (let i = 0; i < socialLimits.joinsPerHourPerIp; i += 1) {
      const ok = await browser
        .post(`/g/${group.inviteKey}/join`)
        .type('form')
        .send({ name: '同一人', phone: phone(31), _csrf: token });
      expect(ok.status).toBe(303);
    }
    const refused = await browser
      .post(`/g/${group.inviteKey}/join`)
      .type('form')
      .send({ name: '同一人', phone: phone(32), _csrf: token });
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(refused.text).toMatch(/此网络的入群请求太多，请 \d+ 分钟后再试/);
    expect(refused.text).toContain(`value="${phone(32)}"`);
  });
});

describe('the customer page', () => {
  it('without a remembered device explains how to get there and shows nothing; a forged or foreign token is the same; forgetting clears the cookie', async () => {
    const { group, orgId } = await shop();
    const other = await shop();
    const anonymous = await request(app).get(`/my/${orgId}`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.text).toContain('data-testid="member-signed-out"');
    expect(anonymous.text).toContain('请打开导购发给你的链接');
    expect(anonymous.text).not.toContain('水果群');
    expect((await request(app).get(`/my/${orgId}`).set('Cookie', 'sl_member=forged.token')).status).toBe(401);
    expect((await request(app).get('/my/not-an-org')).status).toBe(401);

    const { browser, res } = await join(group.inviteKey, { name: '周先生', phone: phone(41) });
    const token = /sl_member=([^;]+)/.exec(([] as string[]).concat(res.headers['set-cookie'] ?? []).join(';'))![1]!;
    // The same token names no customer in another organisation.
    expect((await request(app).get(`/my/${other.orgId}`).set('Cookie', `sl_member=${token}`)).status).toBe(401);

    const forgot = await onMyPage(browser, orgId, `/my/${orgId}/forget`, {});
    expect(forgot.status).toBe(303);
    expect(([] as string[]).concat(forgot.headers['set-cookie'] ?? []).join(';')).toMatch(new RegExp(`sl_member=;.*Path=/my/${orgId}`));
    expect((await browser.get(`/my/${orgId}`)).status).toBe(401);
  });

  it('shows group posts with pictures to members (thumbnails with caching headers and 304), and no picture of a post they were not shown', async () => {
    const { org, store, clerk, ctx, group, orgId } = await shop();
    const { browser } = await join(group.inviteKey, { name: '吴女士', phone: phone(51) });

    // The clerk posts through her page, with a picture.
    const staff = await signIn(app, clerk.login, PASSWORD);
    const staffPage = await staff.get(`/groups/${String(group._id)}`).expect(200);
    const action = /action="(\/groups\/[0-9a-f]{24}\/posts\?_csrf=[^"]+)"/.exec(staffPage.text)![1]!;
    const posted = await staff
      .post(action)
      .field('text', `今日特价\n${EVIL}`)
      .field('link', 'https://shop.example.com/deal')
      .attach('images', await png(), 'deal.png');
    expect(posted.status).toBe(303);
    const post = await SocialPost.findOne({ orgId: org._id, groupId: group._id }).lean();
    const imageId = String(post!.imageIds[0]);

    const page = await browser.get(`/my/${orgId}`).expect(200);
    // Line breaks are kept as typed, in a pre-wrap block.
    expect(page.text).toMatch(/class="[^"]*chat-text[^"]*"[^>]*>今日特价\r?\n&lt;script&gt;/);
    expect(page.text).not.toContain('<script>alert(1)');
    expect(page.text).not.toContain('<img src=x');
    expect(page.text).toContain('<a href="https://shop.example.com/deal" rel="noopener nofollow ugc" target="_blank"');
    expect(page.text).toContain(`href="/my/${orgId}/media/${imageId}"`);
    expect(page.text).toContain(`src="/my/${orgId}/media/${imageId}/thumb"`);
    expect(page.text).toContain(clerk.realName);

    const thumb = await browser.get(`/my/${orgId}/media/${imageId}/thumb`).expect(200);
    expect(thumb.headers['content-type']).toBe('image/webp');
    expect(thumb.headers['x-content-type-options']).toBe('nosniff');
    expect(thumb.headers['cache-control']).toBe('private, max-age=86400');
    expect(thumb.headers.etag).toBeTruthy();
    expect((await sharp(thumb.body as Buffer).metadata()).format).toBe('webp');
    const cached = await browser.get(`/my/${orgId}/media/${imageId}/thumb`).set('If-None-Match', thumb.headers.etag!);
    expect(cached.status).toBe(304);
    const full = await browser.get(`/my/${orgId}/media/${imageId}`).expect(200);
    expect(full.headers['content-type']).toBe('image/png');

    // Without the cookie, or for another group's picture: nothing there.
    expect((await request(app).get(`/my/${orgId}/media/${imageId}/thumb`)).status).toBe(404);
    const otherGroup = await createGroup(ctx, { name: '别的群' });
    const outsider = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id });
    await addMember(ctx, String(otherGroup._id), String(outsider._id));
    const hidden = await publishGroupPost(ctx, String(otherGroup._id), { text: '只给别的群', images: [await png()] });
    const hiddenId = String(hidden.imageIds[0]);
    expect((await browser.get(`/my/${orgId}/media/${hiddenId}`)).status).toBe(404);
    expect((await browser.get(`/my/${orgId}/media/${hiddenId}/thumb`)).status).toBe(404);
    expect((await browser.get(`/my/${orgId}`).expect(200)).text).not.toContain('只给别的群');
  });

  it('shows the clerk’s moments newest first; a like counts once, unliking takes it back; a comment shows on the page and in the staff timeline, escaped', async () => {
    const { org, clerk, ctx, group, orgId } = await shop();
    const { browser } = await join(group.inviteKey, { name: '郑女士', phone: phone(61) });
    const customer = await Customer.findOne({ orgId: org._id, phoneTail: '0061' }).lean();
    const older = await publishMoment(ctx, { text: '第一条动态' });
    const newer = await publishMoment(ctx, { text: '第二条动态' });

    const page = await browser.get(`/my/${orgId}`).expect(200);
    expect(page.text.indexOf('第二条动态')).toBeGreaterThan(-1);
    expect(page.text.indexOf('第二条动态')).toBeLessThan(page.text.indexOf('第一条动态'));
    expect(page.text).toContain(`id="post-${String(newer._id)}"`);

    const likePath = `/my/${orgId}/posts/${String(older._id)}/like`;
    expect((await onMyPage(browser, orgId, likePath, { liked: 'true' })).status).toBe(303);
    expect((await onMyPage(browser, orgId, likePath, { liked: 'true' })).status).toBe(303);
    expect((await SocialPost.findOne({ orgId: org._id, _id: older._id }).lean())?.stats.likes).toBe(1);
    const liked = await browser.get(`/my/${orgId}`).expect(200);
    expect(liked.text).toMatch(new RegExp(`action="${likePath}"[\\s\\S]*?name="liked" value="false"[\\s\\S]*?aria-pressed="true"`));
    expect((await onMyPage(browser, orgId, likePath, { liked: 'false' })).status).toBe(303);
    expect((await SocialPost.findOne({ orgId: org._id, _id: older._id }).lean())?.stats.likes).toBe(0);
    // Liking again after unliking is one event in the clerk's timeline.
    expect((await onMyPage(browser, orgId, likePath, { liked: 'true' })).status).toBe(303);
    expect(await TimelineEvent.countDocuments({ orgId: org._id, customerId: customer!._id, type: 'post.liked' })).toBe(1);

    const commentPath = `/my/${orgId}/posts/${String(newer._id)}/comments`;
    const empty = await onMyPage(browser, orgId, commentPath, { text: '  ' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain(`id="comment-${String(newer._id)}-error"`);
    expect(await PostComment.countDocuments({ orgId: org._id })).toBe(0);

    const said = await onMyPage(browser, orgId, commentPath, { text: `真好看${EVIL}` });
    expect(said.status).toBe(303);
    expect(said.headers.location).toBe(`/my/${orgId}#post-${String(newer._id)}`);
    const withComment = await browser.get(`/my/${orgId}`).expect(200);
    expect(withComment.text).toContain('真好看&lt;script&gt;');
    expect(withComment.text).not.toContain('<script>alert(1)');
    expect((await SocialPost.findOne({ orgId: org._id, _id: newer._id }).lean())?.stats.comments).toBe(1);

    const staff = await signIn(app, clerk.login, PASSWORD);
    const timeline = await staff.get(`/customers/${String(customer!._id)}`).expect(200);
    expect(timeline.text).toContain('评论了动态');
    expect(timeline.text).toContain('真好看&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(timeline.text).not.toContain('<script>alert(1)');
    expect(timeline.text).not.toContain('<img src=x');

    // A post the customer was never shown cannot be liked or commented on.
    const stranger = await shop();
    const foreignPost = await publishMoment(stranger.ctx, { text: '别家的' });
    expect((await onMyPage(browser, orgId, `/my/${orgId}/posts/${String(foreignPost._id)}/like`, { liked: 'true' })).status).toBe(404);
  });

  it('limits what one customer can do on the page per hour, with the reason on the page', async () => {
    const { org, ctx, group, orgId } = await shop();
    const { browser } = await join(group.inviteKey, { name: '蒋女士', phone: phone(81) });
    const post = await publishMoment(ctx, { text: '限流测试' });
    const likePath = `/my/${orgId}/posts/${String(post._id)}/like`;
    const token = csrfTokenIn((await browser.get(`/my/${orgId}`).expect(200)).text);
    for (let i = 0; i < socialLimits.memberActionsPerHour; i += 1) {
      await browser
        .post(likePath)
        .type('form')
        .send({ liked: i % 2 === 0 ? 'true' : 'false', _csrf: token })
        .expect(303);
    }
    const refused = await browser.post(likePath).type('form').send({ liked: 'true', _csrf: token }).expect(303);
    expect(refused.headers.location).toBe(`/my/${orgId}`);
    expect((await browser.get(`/my/${orgId}`).expect(200)).text).toContain('操作太频繁');
    // The refused like changed nothing: the 60 toggles ended unliked.
    expect((await SocialPost.findOne({ orgId: org._id, _id: post._id }).lean())?.stats.likes).toBe(0);
  });

  it('lets a member leave a group after confirming; the group and its posts disappear from the page and the clerk sees the leave', async () => {
    const { org, clerk, ctx, group, orgId } = await shop();
    const { browser } = await join(group.inviteKey, { name: '冯先生', phone: phone(71) });
    await publishGroupPost(ctx, String(group._id), { text: '群里的消息' });
    const page = await browser.get(`/my/${orgId}`).expect(200);
    expect(page.text).toContain('群里的消息');
    expect(page.text).toMatch(/<details[^>]*>\s*<summary[^>]*>退出这个群<\/summary>[\s\S]*?确认退出/);

    const left = await onMyPage(browser, orgId, `/my/${orgId}/groups/${String(group._id)}/leave`, {});
    expect(left.status).toBe(303);
    const after = await browser.get(`/my/${orgId}`).expect(200);
    expect(after.text).toContain('你已退出该群');
    expect(after.text).not.toContain('data-testid="member-group"');
    expect(after.text).not.toContain('群里的消息');
    expect(await GroupMember.countDocuments({ orgId: org._id, groupId: group._id })).toBe(0);
    expect((await CustomerGroup.findOne({ orgId: org._id, _id: group._id }).lean())?.memberCount).toBe(0);

    const staff = await signIn(app, clerk.login, PASSWORD);
    expect((await staff.get(`/groups/${String(group._id)}`).expect(200)).text).toMatch(/<td class="text-end">1<\/td><td class="text-end">1<\/td>/);
    // Leaving twice is not possible: the group is no longer theirs.
    expect((await onMyPage(browser, orgId, `/my/${orgId}/groups/${String(group._id)}/leave`, {})).status).toBe(404);
  });

  it('sends a customer action without a remembered device back to the page, changing nothing', async () => {
    const { org, ctx, group, orgId } = await shop();
    const post = await publishMoment(ctx, { text: '动态' });
    const stranger = request.agent(app);
    const signedOut = await stranger.get(`/g/${group.inviteKey}`).expect(200);
    const res = await stranger
      .post(`/my/${orgId}/posts/${String(post._id)}/comments`)
      .type('form')
      .send({ text: 'hi', _csrf: csrfTokenIn(signedOut.text) });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/my/${orgId}`);
    expect(await PostComment.countDocuments({ orgId: org._id })).toBe(0);
    // And without the form's token, nothing at all.
    expect((await request(app).post(`/my/${orgId}/forget`).type('form').send({})).status).toBe(403);
  });
});

describe('what the customer page shows by id', () => {
  it('answers the joined page like an unknown page to anyone but its members and the browser that joined: no name of a never-shared, archived or someone else’s group', async () => {
    const { org, store, clerk, ctx, group: shared, orgId } = await shop({}, { name: '芒果群' });
    const secret = await createGroup(ctx, { name: '内部秘密群' });
    const archived = await createGroup(ctx, { name: '旧的群' });
    const joinedPath = (groupId: unknown) => `/my/${orgId}/joined/${String(groupId)}`;
    const unknown = await request(app).get(joinedPath(new mongoose.Types.ObjectId()));
    expect(unknown.status).toBe(404);
    const namesNothing = (res: { status: number; text: string }) => {
      expect(res.status).toBe(404);
      for (const name of ['芒果群', '内部秘密群', '旧的群', org.name]) expect(res.text).not.toContain(name);
    };

    // A device remembered as a member of the shared group, which also joined the group archived later.
    const { browser: member } = await join(shared.inviteKey, { name: '林女士', phone: phone(101) });
    await join(archived.inviteKey, { name: '林女士', phone: phone(101) }, member);
    await archiveGroup(ctx, String(archived._id));

    for (const groupId of [shared._id, secret._id, archived._id]) namesNothing(await request(app).get(joinedPath(groupId)));
    namesNothing(await member.get(joinedPath(secret._id)));
    namesNothing(await member.get(joinedPath(archived._id)));
    expect((await member.get(joinedPath(shared._id)).expect(303)).headers.location).toBe(`/my/${orgId}`);
    // Another customer's device: not a member of the group, so nothing.
    const { browser: stranger } = await join((await createGroup(ctx, { name: '别的群' })).inviteKey, { name: '陈先生', phone: phone(102) });
    namesNothing(await stranger.get(joinedPath(shared._id)));
    for (const path of [`/my/${orgId}/joined/not-an-id`, `/my/not-an-org/joined/${String(shared._id)}`])
      expect((await request(app).get(path)).status).toBe(404);

    // The browser that just joined with a number already known sees the group it joined, and only that one.
    const known = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id });
    const { browser: typed, res } = await join(shared.inviteKey, { name: '随便写', phone: known.phone });
    expect(res.headers.location).toBe(joinedPath(shared._id));
    expect((await typed.get(joinedPath(shared._id)).expect(200)).text).toContain('芒果群');
    namesNothing(await typed.get(joinedPath(secret._id)));
  });

  it('keeps a group’s posts and pictures from a customer who left it or whose group was archived, asked by id too', async () => {
    const { ctx, group, orgId } = await shop();
    const { browser } = await join(group.inviteKey, { name: '许女士', phone: phone(111) });
    const later = await createGroup(ctx, { name: '后来的群' });
    await join(later.inviteKey, { name: '许女士', phone: phone(111) }, browser);
    const inGroup = await publishGroupPost(ctx, String(group._id), { text: '群里的图', images: [await png()] });
    const inLater = await publishGroupPost(ctx, String(later._id), { text: '后来的图', images: [await png()] });
    const moment = await publishMoment(ctx, { text: '动态的图', images: [await png()] });
    const picture = (post: { imageIds: unknown[] }) => `/my/${orgId}/media/${String(post.imageIds[0])}/thumb`;
    for (const post of [inGroup, inLater, moment]) await browser.get(picture(post)).expect(200);

    await onMyPage(browser, orgId, `/my/${orgId}/groups/${String(group._id)}/leave`, {});
    await archiveGroup(ctx, String(later._id));
    for (const post of [inGroup, inLater]) {
      expect((await browser.get(picture(post))).status).toBe(404);
      expect((await onMyPage(browser, orgId, `/my/${orgId}/posts/${String(post._id)}/like`, { liked: 'true' })).status).toBe(404);
      expect((await onMyPage(browser, orgId, `/my/${orgId}/posts/${String(post._id)}/comments`, { text: '还在吗' })).status).toBe(404);
    }
    expect(await PostComment.countDocuments({ orgId: inGroup.orgId })).toBe(0);
    // What was shown to the customer as such stays theirs.
    await browser.get(picture(moment)).expect(200);
    expect((await onMyPage(browser, orgId, `/my/${orgId}/posts/${String(moment._id)}/like`, { liked: 'true' })).status).toBe(303);
  });
});

describe('the way to reach the shop from the customer page', () => {
  const chatLinks = (html: string) => [...html.matchAll(/href="(\/c\/[^"]+)"[^>]*data-testid="chat-shop-link"/g)].map((m) => m[1]);

  it('links the chat page of the customer’s store, else the organisation’s first channel, and nothing without a channel', async () => {
    const { org, store, group, orgId } = await shop();
    const { browser } = await join(group.inviteKey, { name: '钱女士', phone: phone(701) });
    expect(chatLinks((await browser.get(`/my/${orgId}`).expect(200)).text)).toEqual([]);

    const otherStore = await createStore(org._id, { name: '静安店' });
    const orgFirst = await createChannel(org._id, { storeId: otherStore._id });
    await createChannel(org._id, { storeId: null });
    expect(chatLinks((await browser.get(`/my/${orgId}`).expect(200)).text)).toEqual([`/c/${orgFirst.key}`]);

    const closed = await createChannel(org._id, { storeId: store._id });
    await ChatChannel.updateOne({ _id: closed._id, orgId: org._id }, { $set: { active: false } });
    const mine = await createChannel(org._id, { storeId: store._id });
    const page = await browser.get(`/my/${orgId}`).expect(200);
    expect(chatLinks(page.text)).toEqual([`/c/${mine.key}`]);
    expect(page.text).toContain('联系门店');
  });

  it('never links another organisation’s channel', async () => {
    const { group, orgId } = await shop();
    const other = await createOrg();
    await createChannel(other._id);
    const { browser } = await join(group.inviteKey, { name: '孙女士', phone: phone(702) });
    expect(chatLinks((await browser.get(`/my/${orgId}`).expect(200)).text)).toEqual([]);
  });
});
