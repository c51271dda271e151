import { describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { useTestDatabase } from '../setup/db.js';
import { DESKTOP, openPage, PHONE, signInOnPage, submitAndLand, useBrowserAndServer } from './browser.js';
import { createCannedReply, createCustomer, createOrgWithTeam } from '../factories.js';
import { useFrozenClock } from '../setup/clock.js';
import { runDailyFollowups } from '../../server/services/followups/daily-run.js';
import { FollowupRule } from '../../server/models/followup-rule.js';
import { Store } from '../../server/models/store.js';
import { createChannel } from '../setup/chat.js';

useTestDatabase();

// 10:00 on 1 December 2026 in Shanghai. The server runs in this process, so the clock is the server's too.
const NOW = new Date('2026-12-01T02:00:00Z');
useFrozenClock(NOW, { per: 'file' });

const rig = useBrowserAndServer();

/** A signed-in page (a phone without touch emulation unless asked: the chips are tapped as clicks). */
async function phonePage(
  login: string,
  viewport = PHONE,
): Promise<{ page: Page; watched: { consoleErrors: string[]; httpErrors: string[] }; close: () => Promise<void> }> {
  const opened = await openPage(rig, 'desktop', { viewport });
  await signInOnPage(opened.page, login);
  return { page: opened.page, watched: opened, close: () => opened.context.close() };
}

// Runs in the page: the project's types have no DOM library.
const pageWidth = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth');
const placeCursor = (page: Page, at: number) => page.evaluate<void>(`document.getElementById('f-message').setSelectionRange(${at}, ${at})`);

describe('message placeholders as chips in a real browser', () => {
  it('inserts 客户称呼 and 门店 at the cursor on a 375 px phone, and the clerk’s task shows them filled in', async () => {
    const { org, store, clerk, marketer } = await createOrgWithTeam();
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '周晓雯', birthday: { month: 12, day: 3 } });

    const { page, watched, close } = await phonePage(marketer.login);
    try {
      await page.goto('/followups/rules/birthday');
      const message = page.getByLabel('建议话术');
      const chips = page.getByTestId('placeholder-chips');
      await chips.getByRole('button', { name: /^客户称呼/ }).waitFor();
      expect(await chips.getByRole('button').allTextContents()).toEqual(['客户称呼', '导购姓名', '门店', '场合', '日期', '亲属关系', '亲属姓名']);

      await message.fill('您好，生日快乐！欢迎来取鲜果果篮。');
      // The cursor at the start: the chip goes there, not at the end.
      await placeCursor(page, 0);
      await chips.getByRole('button', { name: /^客户称呼/ }).click();
      expect(await message.inputValue()).toBe('{客户称呼}您好，生日快乐！欢迎来取鲜果果篮。');
      // The cursor stays after what was inserted, so typing goes on from there.
      await page.keyboard.type('，');
      await placeCursor(page, '{客户称呼}，您好，生日快乐！欢迎来'.length);
      await chips.getByRole('button', { name: /^门店/ }).click();
      expect(await message.inputValue()).toBe('{客户称呼}，您好，生日快乐！欢迎来{门店}取鲜果果篮。');
      expect(await pageWidth(page)).toBeLessThanOrEqual(PHONE.width);

      await submitAndLand(page, () => page.getByRole('button', { name: '保存' }).click(), /\/followups\/rules$/);
      expect((await FollowupRule.findOne({ orgId: org._id, occasion: 'birthday' }).lean())?.message).toBe(
        '{客户称呼}，您好，生日快乐！欢迎来{门店}取鲜果果篮。',
      );
      expect(watched.consoleErrors).toEqual([]);
      expect(watched.httpErrors).toEqual([]);
    } finally {
      await close();
    }

    await runDailyFollowups(String(org._id), NOW, { date: '2026-12-01' });
    const clerkPhone = await phonePage(clerk.login);
    try {
      await clerkPhone.page.goto('/followups');
      await clerkPhone.page.getByTestId('suggested-message').first().waitFor();
      expect(await clerkPhone.page.getByTestId('suggested-message').first().inputValue()).toBe(`周晓雯，您好，生日快乐！欢迎来${store.name}取鲜果果篮。`);
      expect(clerkPhone.watched.consoleErrors).toEqual([]);
    } finally {
      await clerkPhone.close();
    }
  });

  it('offers the chips on the canned-reply form, and the console fills a canned reply’s placeholders for the conversation', async () => {
    const { org, store, agent } = await createOrgWithTeam();
    const channel = await createChannel(org._id, { routing: 'manual', welcomeMessage: '您好！' });
    await createCannedReply(org._id, { shortcut: 'hi', text: '{客户称呼}您好，我是{导购姓名}，｛门店｝今天到了丹东草莓。' });
    const storeName = (await Store.findOne({ orgId: org._id, _id: store._id }).lean())!.name;

    const desk = await phonePage(agent.login);
    const customer = await openPage(rig, 'phone');
    const phone = customer.page;
    try {
      await desk.page.goto('/chat/canned');
      const chips = desk.page.getByTestId('placeholder-chips');
      expect(await chips.getByRole('button').allTextContents()).toEqual(['客户称呼', '导购姓名', '门店']);
      await desk.page.getByLabel('回复内容').fill('欢迎再来，');
      await chips.getByRole('button', { name: /^客户称呼/ }).click();
      expect(await desk.page.getByLabel('回复内容').inputValue()).toBe('欢迎再来，{客户称呼}');
      expect(await pageWidth(desk.page)).toBeLessThanOrEqual(PHONE.width);

      // The live console is a desktop page: the same agent at a desk.
      await desk.page.setViewportSize(DESKTOP);
      await desk.page.goto('/console/agent');
      await desk.page.getByTestId('presence').selectOption('online');
      await phone.goto(`/c/${channel.key}`);
      await phone.getByLabel('您的称呼').fill('王女士');
      await Promise.all([phone.waitForURL(`**/c/${channel.key}`), phone.getByRole('button', { name: '开始咨询' }).click()]);
      await phone.getByTestId('message-input').fill('今天有草莓吗？');
      await phone.getByTestId('send').click();
      const queued = desk.page.getByTestId('queue-item').filter({ hasText: '王女士' });
      await queued.waitFor();
      await queued.getByTestId('accept').click();
      await desk.page.locator('[data-testid="message"][data-sender="customer"]').filter({ hasText: '今天有草莓吗？' }).waitFor();
      await desk.page.getByTestId('composer').fill('/hi');
      await desk.page.getByTestId('canned-option').first().waitFor();
      await desk.page.getByTestId('composer').press('Enter');
      expect(await desk.page.getByTestId('composer').inputValue()).toBe(`王女士您好，我是${agent.realName}，${storeName}今天到了丹东草莓。`);
      expect(desk.watched.consoleErrors).toEqual([]);
    } finally {
      await desk.close();
      await customer.context.close();
    }
  });

  it('shows the import page on a 375 px phone with the template link and each column’s format, nothing wider than the screen', async () => {
    const { clerk } = await createOrgWithTeam();
    const { page, watched, close } = await phonePage(clerk.login);
    try {
      await page.goto('/customers/import');
      await page.getByRole('link', { name: '下载导入模板' }).waitFor();
      await page.getByText('各列的写法').click();
      await page
        .getByTestId('import-formats')
        .getByText(/1990\/5\/6/)
        .waitFor();
      await page.getByLabel('CSV 文件').waitFor();
      expect(await pageWidth(page)).toBeLessThanOrEqual(PHONE.width);
      expect([...watched.consoleErrors, ...watched.httpErrors]).toEqual([]);
    } finally {
      await close();
    }
  });
});
