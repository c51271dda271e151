import { describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { useTestDatabase } from '../setup/db.js';
import { openPage, PHONE, signInOnPage, submitAndLand, useBrowserAndServer } from './browser.js';
import { createCustomer, createOrgWithTeam } from '../factories.js';
import { useFrozenClock } from '../setup/clock.js';
import { runDailyFollowups } from '../../server/services/followups/daily-run.js';
import { deliverDueDigests } from '../../server/services/followups/digests.js';

useTestDatabase();

// 10:00 on 1 December 2026 in Shanghai, after the 08:30 run. The server runs in this process, so the clock is the server's too.
const NOW = new Date('2026-12-01T02:00:00Z');
useFrozenClock(NOW, { per: 'file' });

const rig = useBrowserAndServer();
const openPhone = () => openPage(rig, 'phone');
const logIn = (page: Page, login: string) => signInOnPage(page, login);

// Runs in the page: the project's types have no DOM library.
const horizontalOverflow = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth');

describe('the clerk’s home card and digest on a 375 px phone', () => {
  it('lists whose birthday comes when, each row opening the customer; the digest banner follows the work done', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    const daughter = await createCustomer(org._id, {
      ownerId: clerk._id,
      storeId: store._id,
      name: '陈女士',
      birthday: { month: 6, day: 1 },
      relatives: [{ relation: '母亲', name: '李华', month: 12, day: 3 }],
    });
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '周晓雯', birthday: { month: 12, day: 1 } });
    await runDailyFollowups(String(org._id), NOW, { date: '2026-12-01' });
    await deliverDueDigests(NOW);

    const { context, page, consoleErrors, httpErrors } = await openPhone();
    try {
      await logIn(page, clerk.login);
      const rows = page.getByTestId('upcoming-birthday');
      expect(await rows.count()).toBe(2);
      expect((await rows.nth(0).innerText()).replace(/\s+/g, ' ')).toContain('周晓雯');
      expect((await rows.nth(0).innerText()).replace(/\s+/g, ' ')).toContain('今天 · 12月1日');
      const relative = (await rows.nth(1).innerText()).replace(/\s+/g, ' ');
      expect(relative).toContain('陈女士');
      expect(relative).toContain('母亲李华的生日');
      expect(relative).toContain('后天 · 12月3日');
      expect(relative).not.toContain('6月1日');
      expect((await page.getByTestId('upcoming-count').textContent())?.trim()).toBe('2');
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(PHONE.width);

      await submitAndLand(page, () => rows.nth(1).click(), new RegExp(`/customers/${String(daughter._id)}$`));
      await page.getByRole('heading', { level: 1, name: '陈女士' }).waitFor();

      await page.goto('/followups');
      const banner = page.getByTestId('digest');
      expect(await banner.innerText()).toContain('还有今天 1 条、逾期 0 条待跟进，即将到来 1 条');
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(PHONE.width);
      const task = page.getByTestId('section-today').getByTestId('task');
      await task.getByLabel('跟进结果').selectOption('reached');
      await submitAndLand(page, () => task.getByRole('button', { name: '完成', exact: true }).click(), /\/followups$/);
      await page.getByRole('status').filter({ hasText: '已标记完成' }).waitFor();
      expect(await page.getByTestId('digest').innerText()).toContain('今天和逾期的跟进都已完成，即将到来 1 条');
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(PHONE.width);

      expect(consoleErrors).toEqual([]);
      expect(httpErrors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('a customer added on the phone with a birthday in 3 days is in the inbox at once', async () => {
    const { clerk } = await createOrgWithTeam();
    const { context, page, consoleErrors, httpErrors } = await openPhone();
    try {
      await logIn(page, clerk.login);
      await page.goto('/customers/new');
      await page.getByLabel('姓名', { exact: true }).fill('新来的王女士');
      await page.getByLabel('手机号').fill('166 0000 1357');
      const birthday = page.getByRole('group', { name: '生日' });
      await birthday.getByLabel('月', { exact: true }).selectOption('12');
      await birthday.getByLabel('日', { exact: true }).selectOption('4');
      await submitAndLand(page, () => page.getByRole('button', { name: '保存' }).click(), /\/customers\/[0-9a-f]{24}$/);

      await page.goto('/followups');
      const upcoming = page.getByTestId('section-upcoming').getByTestId('task');
      expect(await upcoming.count()).toBe(1);
      await upcoming.getByRole('link', { name: '新来的王女士' }).waitFor();
      expect(await upcoming.innerText()).toContain('3天后 · 12月4日');
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(PHONE.width);
      expect(consoleErrors).toEqual([]);
      expect(httpErrors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
