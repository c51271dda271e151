import { describe, expect, it } from '@jest/globals';
import type { Locator, Page } from 'playwright-core';
import { useTestDatabase } from '../setup/db.js';
import { openPage, PHONE, signInOnPage, submitAndLand, useBrowserAndServer } from './browser.js';
import { createOrgWithTeam } from '../factories.js';
import { createChannel } from '../setup/chat.js';

useTestDatabase();
const rig = useBrowserAndServer();
const openPhone = () => openPage(rig, 'phone');
const logIn = (page: Page, login: string) => signInOnPage(page, login);

// Runs in the page (the project's types have no DOM library): how many lines an element's text takes.
const countLines = new Function(
  'el',
  'const range = document.createRange(); range.selectNodeContents(el); return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;',
) as (el: unknown) => number;
const linesOf = (element: Locator) => element.evaluate(countLines);
const horizontalOverflow = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth');

async function startChat(page: Page, key: string, name: string): Promise<void> {
  await page.goto(`/c/${key}`);
  await page.getByLabel('您的称呼').fill(name);
  await submitAndLand(page, () => page.getByRole('button', { name: '开始咨询' }).click(), new RegExp(`/c/${key}$`));
}

describe('the customer chat page on a 375 px phone', () => {
  it("greets before the first message with the channel's welcome and who serves, keeps 发送 on one line, and says the place in the queue plainly", async () => {
    const { org } = await createOrgWithTeam();
    const channel = await createChannel(org._id, { routing: 'manual', welcomeMessage: '您好，欢迎光临鲜果旗舰店！' });
    const first = await openPhone();
    const second = await openPhone();
    try {
      await startChat(first.page, channel.key, '王女士');
      const intro = first.page.getByTestId('chat-intro');
      await intro.waitFor({ state: 'visible' });
      expect(await intro.getByTestId('chat-welcome').innerText()).toBe('您好，欢迎光临鲜果旗舰店！');
      // Nobody has the console open: the page says so instead of promising an answer.
      expect(await intro.getByTestId('chat-intro-who').innerText()).toBe('客服暂时不在线，请留言，我们会尽快回复');

      const send = first.page.getByTestId('send');
      expect(await linesOf(send)).toBe(1);
      expect(await send.innerText()).toBe('发送');

      await first.page.getByTestId('message-input').fill('今天有车厘子吗？');
      await send.click();
      await first.page.locator('[data-testid="message"][data-sender="customer"]').filter({ hasText: '今天有车厘子吗？' }).waitFor();
      await intro.waitFor({ state: 'hidden' });
      await first.page.getByTestId('chat-status').filter({ hasText: '正在排队，您是第 1 位' }).waitFor();

      await startChat(second.page, channel.key, '李先生');
      await second.page.getByTestId('message-input').fill('榴莲多少钱一斤？');
      await second.page.getByTestId('send').click();
      await second.page.getByTestId('chat-status').filter({ hasText: '正在排队，前面还有 1 位' }).waitFor();
      expect(await first.page.getByTestId('chat-status').innerText()).not.toContain('含您');

      expect(await horizontalOverflow(first.page)).toBeLessThanOrEqual(PHONE.width);
      expect([...first.consoleErrors, ...first.httpErrors, ...second.consoleErrors, ...second.httpErrors]).toEqual([]);
    } finally {
      await first.context.close();
      await second.context.close();
    }
  }, 90_000);
});

describe('staff pages on a 375 px phone', () => {
  it("shows the chat report's columns one line each inside a scrolling wrapper, not the page", async () => {
    const { manager } = await createOrgWithTeam();
    const { context, page, consoleErrors, httpErrors } = await openPhone();
    try {
      await logIn(page, manager.login);
      await page.goto('/chat/reports');
      const table = page.getByTestId('chat-report-table');
      await table.waitFor();
      for (const cell of await table.locator('thead th').all()) expect(await linesOf(cell)).toBe(1);
      for (const cell of await page.getByTestId('live-agents').locator('thead th').all()) expect(await linesOf(cell)).toBe(1);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(PHONE.width);
      expect([...consoleErrors, ...httpErrors]).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('tells an agent on a phone where the sessions are (the list above, not "the left")', async () => {
    const { agent } = await createOrgWithTeam();
    const { context, page, consoleErrors, httpErrors } = await openPhone();
    try {
      await logIn(page, agent.login);
      const title = page.locator('#conversation-title');
      await title.waitFor();
      expect(await title.innerText()).not.toContain('左侧');
      expect(await title.innerText()).toContain('我的会话');
      const list = await page.locator('#mine-title').boundingBox();
      const conversation = await title.boundingBox();
      expect(list!.y).toBeLessThan(conversation!.y);
      expect([...consoleErrors, ...httpErrors]).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('shows a clerk 添加客户 and the search before the CSV export on the customer list', async () => {
    const { clerk } = await createOrgWithTeam();
    const { context, page, consoleErrors, httpErrors } = await openPhone();
    try {
      await logIn(page, clerk.login);
      await page.goto('/customers');
      const add = await page.getByTestId('add-customer').boundingBox();
      const search = await page.getByLabel('搜索', { exact: false }).first().boundingBox();
      const exportButton = page.getByRole('button', { name: '导出 CSV' });
      const exported = await exportButton.boundingBox();
      expect(add!.y).toBeLessThan(search!.y);
      expect(search!.y).toBeLessThan(exported!.y);
      expect(await exportButton.getAttribute('class')).not.toMatch(/btn-(success|primary)\b/);
      expect([...consoleErrors, ...httpErrors]).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
