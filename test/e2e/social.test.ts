import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { useTestDatabase } from '../setup/db.js';
import { startTestServer } from '../setup/server.js';
import { imageLoaded, launchBrowser, shot, submitAndLand, watchPage } from './browser.js';
import { createOrg, createStaff, createStore, createTag, PASSWORD } from '../factories.js';
import { Organization } from '../../server/models/organization.js';

useTestDatabase();

const PHONE = { width: 375, height: 740 };

let browser: Browser;
let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startTestServer()]);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** A phone profile of its own (cookies and all) with one page that records script errors, CSP violations and failed requests. */
async function phone(): Promise<{ context: BrowserContext; page: Page; problems: () => string[] }> {
  const context = await browser.newContext({ viewport: PHONE, baseURL: server.baseUrl, locale: 'zh-CN', isMobile: true, hasTouch: true });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const { consoleErrors, httpErrors } = watchPage(page);
  return { context, page, problems: () => [...consoleErrors, ...httpErrors] };
}

// Run in the page as strings: the project's types have no DOM library.
const horizontalOverflow = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth');

describe('customer groups and moments in real browsers', () => {
  it('lets a clerk on a phone create a group, a customer join by its invite link, and the customer see, like and comment on her moment and group post', async () => {
    // Names a reader of the README's screenshots would expect; the factories' random ones would show there.
    // One touch a day per customer: the moment spends it, and the group post must still reach the member (issue 14.1).
    const org = await createOrg({ contactBudgetPerDay: 1 });
    await Organization.updateOne({ _id: org._id }, { $set: { name: '鲜果时光' } });
    const store = await createStore(org._id, { name: '静安嘉里店' });
    const clerk = await createStaff(org._id, { roles: ['clerk'], storeId: store._id, realName: '李娜' });
    const tag = await createTag(org._id, { name: '爱吃车厘子', ownerId: clerk._id });
    const orgId = String(org._id);
    const groupName = '<b>水果控</b>福利群';
    const notice = '每周三上新，群内专享 9 折。';
    const customerName = '赵敏';
    const momentText = '新到的阳光玫瑰葡萄，欢迎到店品尝！';
    const groupPostText = '本周三群内专享：车厘子 8 折。';
    const picture = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#0a0' } })
      .png()
      .toBuffer();

    const staff = await phone();
    const customer = await phone();
    try {
      // 1. The clerk creates a group and finds its invite link and QR code on the group page.
      const clerkPage = staff.page;
      await clerkPage.goto('/login');
      await clerkPage.getByLabel('账号').fill(clerk.login);
      await clerkPage.getByLabel('密码').fill(PASSWORD);
      await Promise.all([clerkPage.waitForURL(/\/console\//), clerkPage.getByRole('button', { name: '登录' }).click()]);

      await clerkPage.goto('/groups');
      await clerkPage.getByRole('heading', { level: 1, name: '客户群' }).waitFor();
      await clerkPage.getByText('还没有客户群。').waitFor();
      await clerkPage.getByLabel('群名称').fill(groupName);
      await clerkPage.getByLabel('群公告').fill(notice);
      await submitAndLand(clerkPage, () => clerkPage.getByRole('button', { name: '创建', exact: true }).click(), /\/groups\/[0-9a-f]{24}$/);
      await clerkPage.getByRole('status').filter({ hasText: '客户群已创建。' }).waitFor();
      // The name typed as markup is shown as text.
      expect(await clerkPage.getByRole('heading', { level: 1 }).textContent()).toBe(groupName);
      expect(await clerkPage.locator('main b, h1 b').count()).toBe(0);
      const groupUrl = clerkPage.url();

      const inviteUrl = await clerkPage.getByLabel('邀请链接').inputValue();
      expect(inviteUrl).toMatch(new RegExp(`^${server.baseUrl}/g/[^/]+$`));
      const qr = clerkPage.getByRole('img', { name: `「${groupName}」的入群二维码` });
      await imageLoaded(qr);
      expect(await horizontalOverflow(clerkPage)).toBeLessThanOrEqual(PHONE.width);
      await shot(clerkPage, 'groups-375.png');

      // 2. The customer opens the link on her own phone, joins and lands on her customer page.
      const customerPage = customer.page;
      await customerPage.goto(inviteUrl);
      await customerPage.getByText('鲜果时光 · 静安嘉里店').waitFor();
      expect(await customerPage.getByRole('heading', { level: 1 }).textContent()).toBe(groupName);
      expect(await customerPage.locator('b').count()).toBe(0);
      await customerPage.getByText(notice).waitFor();
      // The group owner's certified card, readable on the phone; no phone number unless she chose to show it.
      const ownerCard = customerPage.getByRole('region', { name: '本群导购' });
      await ownerCard.getByText('李娜', { exact: true }).waitFor();
      expect(await ownerCard.getByTestId('staff-card-badge').filter({ hasText: '认证' }).isVisible()).toBe(true);
      expect(await ownerCard.getByText('静安嘉里店', { exact: true }).isVisible()).toBe(true);
      expect(await ownerCard.getByRole('link', { name: '查看地图' }).isVisible()).toBe(true);
      expect(await ownerCard.locator('a[href^="tel:"]').count()).toBe(0);
      expect(await horizontalOverflow(customerPage)).toBeLessThanOrEqual(PHONE.width);
      await shot(customerPage, 'invite-375.png');
      await customerPage.getByLabel('你的称呼').fill(customerName);
      await customerPage.getByLabel('手机号').fill('13912345678');
      await Promise.all([customerPage.waitForURL(`**/my/${orgId}`), customerPage.getByRole('button', { name: '加入客户群' }).click()]);
      await customerPage.getByRole('heading', { level: 1, name: '鲜果时光' }).waitFor();
      const myGroup = customerPage.getByRole('region', { name: groupName });
      await myGroup.getByText('1 位成员').waitFor();
      expect(await myGroup.getByText(notice).count()).toBe(1);
      await myGroup.getByText('群里还没有消息。').waitFor();
      await customerPage.getByText('还没有动态。').waitFor();

      // 3. The clerk posts a moment with a picture; today's quota goes down by one.
      await clerkPage.goto('/moments');
      const quota = clerkPage.getByText(/^今天还可发 \d+ 条/);
      expect(await quota.textContent()).toMatch(/^今天还可发 3 条（共 3 条）/);
      // Before posting, the composer says whom it reaches, and asks again when the audience changes.
      const reach = clerkPage.getByTestId('reach-sentence');
      expect(await reach.textContent()).toBe('将送达 1 人，未展示 0 人。');
      await clerkPage.getByLabel('带有所选标签的客户').check();
      await clerkPage.getByText(tag.name, { exact: true }).click();
      await clerkPage.getByTestId('reach-sentence').filter({ hasText: '将送达 0 人，未展示 0 人。' }).waitFor();
      await clerkPage.getByLabel('我的全部客户').check();
      await clerkPage.getByTestId('reach-sentence').filter({ hasText: '将送达 1 人，未展示 0 人。' }).waitFor();
      expect(await horizontalOverflow(clerkPage)).toBeLessThanOrEqual(PHONE.width);
      await clerkPage.getByLabel('内容').fill(momentText);
      await clerkPage.getByLabel('图片（可选）').setInputFiles({ name: 'grapes.png', mimeType: 'image/png', buffer: picture });
      await submitAndLand(clerkPage, () => clerkPage.getByRole('button', { name: '发布', exact: true }).click(), /\/moments$/);
      await clerkPage.getByRole('status').filter({ hasText: '已发布。送达 1 人，未展示 0 人。' }).waitFor();
      expect(await quota.textContent()).toMatch(/^今天还可发 2 条（共 3 条）/);
      const myMoment = clerkPage.getByRole('article').filter({ hasText: momentText });
      expect(await myMoment.count()).toBe(1);
      await imageLoaded(myMoment.getByRole('img', { name: '图片 1' }));

      // 4. The customer reloads her page: the moment is there with its picture; she likes it and comments.
      await customerPage.reload();
      const feed = customerPage.getByRole('region', { name: '动态' });
      const moment = feed.getByRole('article').filter({ hasText: momentText });
      await moment.waitFor();
      expect(await moment.getByText('李娜', { exact: true }).count()).toBe(1);
      await imageLoaded(moment.getByRole('img', { name: /^图片 1/ }));
      await moment.getByRole('button', { name: /^♡ 赞/ }).click();
      await moment.getByRole('button', { name: /^♥ 取消赞/, pressed: true }).waitFor();
      expect(await moment.getByRole('button', { pressed: true }).textContent()).toMatch(/1$/);
      await moment.getByLabel('写评论').fill('周末带孩子去买！');
      await moment.getByRole('button', { name: '发送' }).click();
      await moment.getByRole('list', { name: '我的评论' }).getByText('周末带孩子去买！').waitFor();

      // 5. The clerk sees the like and the comment, with the customer's name, on the moment's page.
      await clerkPage.goto('/moments');
      await Promise.all([clerkPage.waitForURL(/\/moments\/[0-9a-f]{24}$/), myMoment.getByRole('link', { name: '查看详情' }).click()]);
      expect(await clerkPage.getByTestId('post-text').textContent()).toBe(momentText);
      await imageLoaded(clerkPage.getByRole('img', { name: '图片 1' }));
      await clerkPage.getByRole('region', { name: '点赞的客户' }).getByRole('link', { name: customerName }).waitFor();
      const comments = clerkPage.getByRole('region', { name: '评论' });
      await comments.getByRole('link', { name: customerName }).waitFor();
      await comments.getByText('周末带孩子去买！').waitFor();
      expect(await horizontalOverflow(clerkPage)).toBeLessThanOrEqual(PHONE.width);

      // 6. The clerk posts to the group from its page; the customer reads it under the group.
      await clerkPage.goto(groupUrl);
      await clerkPage.getByRole('region', { name: '群成员' }).getByRole('link', { name: customerName }).waitFor();
      // The moment spent the member's one touch of the day; she chose the group, so its post still reaches her.
      expect(await clerkPage.getByTestId('reach-sentence').textContent()).toBe('将送达 1 人，未展示 0 人。');
      await clerkPage.getByText('群消息对每位成员都展示').waitFor();
      await clerkPage.getByLabel('内容').fill(groupPostText);
      await submitAndLand(clerkPage, () => clerkPage.getByRole('button', { name: '发送到群' }).click(), /\/groups\/[0-9a-f]{24}(#posts)?$/);
      await clerkPage.getByRole('status').filter({ hasText: '群消息已发送。送达 1 人，未展示 0 人。' }).waitFor();
      const sent = clerkPage.getByTestId('group-post').filter({ hasText: groupPostText });
      expect(await sent.getByTestId('post-stats').textContent()).toContain('送达 1 人 · 未展示 0 人');

      // The group post counted as her touch: a second moment today would be held back, and the composer says why.
      await clerkPage.goto('/moments');
      expect(await clerkPage.getByTestId('reach-sentence').textContent()).toBe('将送达 0 人，未展示 1 人（1 人今天的联系次数已满）。');
      expect(await horizontalOverflow(clerkPage)).toBeLessThanOrEqual(PHONE.width);
      await clerkPage.getByTestId('reach-sentence').scrollIntoViewIfNeeded();
      await shot(clerkPage, 'moment-reach-375.png');

      await customerPage.reload();
      const groupPost = myGroup.getByRole('article').filter({ hasText: groupPostText });
      await groupPost.waitFor();
      expect(await myGroup.getByText('群里还没有消息。').count()).toBe(0);
      // The moment stays in her feed, liked, alongside the group post.
      await feed.getByRole('article').filter({ hasText: momentText }).getByRole('button', { pressed: true }).waitFor();
      expect(await horizontalOverflow(customerPage)).toBeLessThanOrEqual(PHONE.width);
      await shot(customerPage, 'customer-page-375.png');

      expect(staff.problems()).toEqual([]);
      expect(customer.problems()).toEqual([]);
    } finally {
      await staff.context.close();
      await customer.context.close();
    }
  }, 60_000);
});
