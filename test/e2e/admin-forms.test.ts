import path from 'node:path';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { useTestDatabase } from '../setup/db.js';
import { startTestServer } from '../setup/server.js';
import { launchBrowser, submitAndLand, watchPage } from './browser.js';
import { createOrg, createStaff, createStore, PASSWORD } from '../factories.js';
import { Organization } from '../../server/models/organization.js';
import { Staff } from '../../server/models/staff.js';
import { rootDir } from '../../server/paths.js';

useTestDatabase();

// As in ui.test.ts and social.test.ts, UPDATE_SCREENSHOTS=1 refreshes the README's screenshots; other runs take none.
const screenshotDir = process.env.UPDATE_SCREENSHOTS === '1' ? path.join(rootDir, 'docs', 'screenshots') : null;
const DESKTOP = { width: 1366, height: 900 };

let browser: Browser;
let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  [browser, server] = await Promise.all([launchBrowser(), startTestServer()]);
  if (screenshotDir) fs.mkdirSync(screenshotDir, { recursive: true });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function shot(page: Page, name: string): Promise<void> {
  if (screenshotDir) await page.screenshot({ path: path.join(screenshotDir, name), fullPage: true });
}

async function desktop(): Promise<{ context: BrowserContext; page: Page; problems: () => string[]; httpErrors: string[] }> {
  const context = await browser.newContext({ viewport: DESKTOP, baseURL: server.baseUrl, locale: 'zh-CN' });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const { consoleErrors, httpErrors } = watchPage(page);
  return { context, page, httpErrors, problems: () => consoleErrors };
}

const horizontalOverflow = (page: Page) => page.evaluate<boolean>('document.documentElement.scrollWidth > document.documentElement.clientWidth');

describe('the admin staff form in a real browser at 1366 px', () => {
  it('opens with the do-not-disturb default, keeps every value through a refusal, then creates the staff member', async () => {
    // Names a reader of the screenshot would expect; the factories' random ones would show there.
    const org = await createOrg({ dndStart: '21:00', dndEnd: '08:00' });
    await Organization.updateOne({ _id: org._id }, { $set: { name: '鲜果时光' } });
    const store = await createStore(org._id, { name: '静安嘉里店' });
    await createStore(org._id, { name: '徐汇港汇店' });
    const admin = await createStaff(org._id, { roles: ['admin'], realName: '周敏' });

    const { context, page, problems, httpErrors } = await desktop();
    try {
      await page.goto('/login');
      await page.getByLabel('账号').fill(admin.login);
      await page.getByLabel('密码').fill(PASSWORD);
      await submitAndLand(page, () => page.getByRole('button', { name: '登录' }).click(), /\/console\//);

      await page.goto('/admin/staff/new');
      // Labelled, filled from the organisation's default: the form saves as it comes.
      await expect(page.getByLabel('免打扰开始').inputValue()).resolves.toBe('21:00');
      await expect(page.getByLabel('免打扰结束').inputValue()).resolves.toBe('08:00');
      await expect(page.getByRole('group', { name: '免打扰时段' }).isVisible()).resolves.toBe(true);

      await page.getByLabel('登录账号').fill('Li Na!');
      await page.getByLabel('初始密码').fill('welcome-2026');
      await page.getByLabel('真实姓名').fill('李娜');
      await page.getByLabel('职位').fill('高级导购');
      await page.getByLabel('所属门店').selectOption({ label: '静安嘉里店' });
      await page.getByLabel('导购', { exact: true }).uncheck();
      await page.getByLabel('店长', { exact: true }).check();
      await page.getByLabel('免打扰开始').fill('22:30');
      await page.getByLabel('免打扰开始').blur();
      await shot(page, 'staff-form-1366.png');

      // A login with a space and "!" is refused: everything else typed is still there, the password too.
      await submitAndLand(page, () => page.getByRole('button', { name: '保存' }).click(), /\/admin\/staff$/);
      await expect(page.getByRole('alert').textContent()).resolves.toContain('输入有误');
      await expect(page.getByLabel('登录账号').inputValue()).resolves.toBe('Li Na!');
      await expect(page.getByLabel('初始密码').inputValue()).resolves.toBe('welcome-2026');
      await expect(page.getByLabel('真实姓名').inputValue()).resolves.toBe('李娜');
      await expect(page.getByLabel('职位').inputValue()).resolves.toBe('高级导购');
      await expect(page.getByLabel('所属门店').inputValue()).resolves.toBe(String(store._id));
      await expect(page.getByLabel('店长', { exact: true }).isChecked()).resolves.toBe(true);
      await expect(page.getByLabel('导购', { exact: true }).isChecked()).resolves.toBe(false);
      await expect(page.getByLabel('免打扰开始').inputValue()).resolves.toBe('22:30');
      await expect(page.getByLabel('免打扰结束').inputValue()).resolves.toBe('08:00');
      await expect(horizontalOverflow(page)).resolves.toBe(false);

      await page.getByLabel('登录账号').fill('li.na');
      await submitAndLand(page, () => page.getByRole('button', { name: '保存' }).click(), /\/admin\/staff$/);
      await expect(page.getByRole('status').first().textContent()).resolves.toContain('已创建员工 李娜');
      expect(await Staff.findOne({ orgId: org._id, login: 'li.na' }).lean()).toMatchObject({
        roles: ['manager'],
        dndStart: '22:30',
        dndEnd: '08:00',
        title: '高级导购',
      });

      // An address that does not exist: words, the code as small print, and the way back to the page before.
      await page.goto('/admin/no-such-page');
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('找不到这个页面');
      await expect(page.getByTestId('error-code').textContent()).resolves.toContain('not_found');
      await submitAndLand(page, () => page.getByRole('link', { name: '返回上一页' }).click(), /\/admin\/staff$/);

      // The refused form (400) and the missing page (404) are reported by Chromium as failed loads: they were meant.
      expect(problems().filter((text) => !/^Failed to load resource: the server responded with a status of (400|404)/.test(text))).toEqual([]);
      expect(httpErrors.filter((e) => !e.includes('/admin/no-such-page') && !/^400 .*\/admin\/staff$/.test(e))).toEqual([]);
    } finally {
      await context.close();
    }
  }, 90_000);
});
