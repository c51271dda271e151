import { describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { useTestDatabase } from '../setup/db.js';
import { openPage, PHONE, signInOnPage, useBrowserAndServer } from './browser.js';
import { createCustomer, createOrgWithTeam } from '../factories.js';
import { useFrozenClock } from '../setup/clock.js';
import { runDailyFollowups } from '../../server/services/followups/daily-run.js';
import { FollowupTask } from '../../server/models/followup-task.js';

useTestDatabase();

// 10:00 on 1 December 2026 in Shanghai. The server runs in this process, so the clock is the server's too.
const NOW = new Date('2026-12-01T02:00:00Z');
useFrozenClock(NOW, { per: 'file' });

const rig = useBrowserAndServer();
const logIn = (page: Page, login: string) => signInOnPage(page, login);

// Runs in the page: the project's types have no DOM library.
const horizontalOverflow = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth');

describe('the follow-up inbox in a real browser', () => {
  it('lets a clerk on a 375 px phone read today’s birthday task, copy the message and mark it done', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    const birthdayGirl = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '周晓雯', birthday: { month: 12, day: 1 } });
    const later = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '陈小姐', birthday: { month: 12, day: 3 } });
    await runDailyFollowups(String(org._id), NOW, { date: '2026-12-01' });

    const { context, page, consoleErrors, httpErrors } = await openPage(rig, 'phone');
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: rig.server.baseUrl });
    try {
      await logIn(page, clerk.login);
      // The nav badge counts the clerk's waiting tasks: today's and the upcoming one.
      await page.getByRole('button', { name: '展开或收起导航' }).click();
      await page.locator('#main-nav.show').waitFor();
      expect((await page.getByTestId('nav-badge').textContent())?.trim()).toBe('2');
      await Promise.all([page.waitForURL('**/followups'), page.getByRole('link', { name: /^跟进/ }).first().click()]);
      await page.getByRole('heading', { level: 1, name: '跟进任务' }).waitFor();
      await page.waitForLoadState('load');

      const today = page.getByTestId('section-today');
      const task = today.getByTestId('task');
      expect(await task.count()).toBe(1);
      await task.getByRole('link', { name: '周晓雯' }).waitFor();
      const message = task.getByTestId('suggested-message');
      expect(await message.getAttribute('readonly')).not.toBeNull();
      const text = await message.inputValue();
      expect(text).toContain('周晓雯');
      expect(text).toContain('12月1日');
      expect(text).toContain(clerk.realName);
      expect(await page.getByTestId('section-upcoming').getByRole('link', { name: '陈小姐', exact: true }).count()).toBe(1);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(PHONE.width);

      // The copy button's script runs under the CSP and confirms.
      await task.getByRole('button', { name: '复制话术' }).click();
      await task.getByRole('button', { name: '已复制' }).waitFor();

      await task.getByLabel('跟进结果').selectOption('bought');
      // The form must carry the page's CSRF token, as the browser posts exactly what the form holds.
      expect(await task.locator('form[action$="/done"] input[name="_csrf"]').inputValue()).not.toBe('');
      const [posted] = await Promise.all([
        page.waitForResponse((response) => new URL(response.url()).pathname.endsWith('/done') && response.request().method() === 'POST'),
        task.getByRole('button', { name: '完成', exact: true }).click(),
      ]);
      expect(posted.status()).toBe(303);
      await page.getByRole('status').filter({ hasText: '已标记完成' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/followups');
      expect(await page.getByTestId('section-today').getByTestId('task').count()).toBe(0);
      expect(await page.getByText('周晓雯').count()).toBe(0);
      expect(await page.getByTestId('section-upcoming').getByRole('link', { name: '陈小姐', exact: true }).count()).toBe(1);
      expect((await page.getByTestId('nav-badge').textContent())?.trim()).toBe('1');
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(PHONE.width);

      expect(await FollowupTask.findOne({ orgId: org._id, customerId: birthdayGirl._id }).lean()).toMatchObject({
        status: 'done',
        outcome: 'bought',
        doneBy: clerk._id,
      });
      expect(await FollowupTask.findOne({ orgId: org._id, customerId: later._id }).lean()).toMatchObject({ status: 'open' });
      expect(consoleErrors.filter((text) => /Content Security Policy/i.test(text))).toEqual([]);
      expect(consoleErrors).toEqual([]);
      expect(httpErrors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
