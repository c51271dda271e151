import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { useTestDatabase } from '../setup/db.js';
import { seedDemo, demoLogins, DEMO_PASSWORD } from '../../server/services/seed/demo.js';
import { openPage, shot, signInOnPage, useBrowserAndServer } from './browser.js';

useTestDatabase();

const PHONE = { width: 375, height: 812 };
const DESKTOP = { width: 1280, height: 800 };

// The demo logins are unique across the database, and this file has a database of its own.
beforeAll(() => seedDemo(), 60_000);
const rig = useBrowserAndServer();
/** A fresh browser profile per test at this size (no touch emulation), watched for CSP violations and failed responses. */
const open = (viewport: { width: number; height: number }) => openPage(rig, 'desktop', { viewport });

function cspViolations(consoleErrors: string[]): string[] {
  return consoleErrors.filter((text) => /Content Security Policy/i.test(text));
}

const logIn = (page: Page, login: string, password = DEMO_PASSWORD) => signInOnPage(page, login, /\/console\//, password);

describe('login in a real browser', () => {
  it('signs the clerk in and out on a 375 px phone', async () => {
    const { context, page, consoleErrors, httpErrors } = await open(PHONE);
    try {
      await page.goto('/login');
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('登录 Storelink');
      await shot(page, 'login-375.png');

      await page.getByLabel('账号').fill('clerk');
      await page.getByLabel('密码').fill(DEMO_PASSWORD);
      await Promise.all([page.waitForURL('**/console/clerk'), page.getByRole('button', { name: '登录' }).click()]);
      await page.getByRole('heading', { level: 1, name: '你好，李娜' }).waitFor();
      await shot(page, 'clerk-console-375.png');

      const logout = page.getByRole('button', { name: '退出登录' });
      expect(await logout.isVisible()).toBe(false);
      await page.getByRole('button', { name: '展开或收起导航' }).click();
      // Bootstrap adds .show to the side sheet when it starts sliding in.
      await page.locator('#main-nav.show').waitFor();
      await logout.waitFor({ state: 'visible' });
      await shot(page, 'clerk-nav-open-375.png');
      await Promise.all([page.waitForURL(/\/login(\?|$)/), logout.click()]);
      await page.getByRole('button', { name: '登录' }).waitFor();
      // Logged out for real: the console sends the browser back to the login page.
      await page.goto('/console/clerk');
      expect(new URL(page.url()).pathname).toBe('/login');

      expect(cspViolations(consoleErrors)).toEqual([]);
      expect(httpErrors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 45_000);

  // The h1 each demo login should see on their console (the manager's is their store's name).
  const headings: Record<string, string> = { admin: '管理后台', manager: '静安寺店', clerk: '你好，李娜', agent: '你好，王强', marketer: '运营中心' };

  it.each(demoLogins)(
    'lands $login on the $role console with a heading',
    async ({ login, role }) => {
      const { context, page, consoleErrors, httpErrors } = await open(DESKTOP);
      try {
        await logIn(page, login);
        if (role === 'admin') await shot(page, 'admin-console.png');
        expect(new URL(page.url()).pathname).toBe(`/console/${role}`);
        expect(httpErrors).toEqual([]);
        const heading = page.getByRole('heading', { level: 1 });
        await heading.first().waitFor();
        expect((await heading.allTextContents()).map((text) => text.trim())).toEqual([headings[login]]);
        expect(cspViolations(consoleErrors)).toEqual([]);
      } finally {
        await context.close();
      }
    },
    30_000,
  );

  it('shows the login page in English without Content Security Policy errors', async () => {
    const { context, page, consoleErrors, httpErrors } = await open(DESKTOP);
    try {
      await page.goto('/login?lang=en');
      await page.getByRole('heading', { level: 1, name: 'Log in to Storelink' }).waitFor();
      await expect(page.getByLabel('Login').isVisible()).resolves.toBe(true);
      await expect(page.getByLabel('Password').isVisible()).resolves.toBe(true);
      // Wait for every script and stylesheet, so a blocked one has reported itself.
      await page.waitForLoadState('load');
      expect(cspViolations(consoleErrors)).toEqual([]);
      expect(httpErrors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 30_000);
});

describe('the clerk’s customer console in a real browser', () => {
  it('adds a customer with a relative on a 375 px phone, tags her, and finds her by that tag', async () => {
    const { context, page, consoleErrors, httpErrors } = await open(PHONE);
    try {
      await logIn(page, 'clerk');
      // One tap from home: the tab bar's central action.
      await Promise.all([
        page.waitForURL('**/customers/new'),
        page.getByRole('navigation', { name: '快捷导航' }).getByRole('link', { name: '添加客户' }).click(),
      ]);

      await page.getByLabel('姓名', { exact: true }).fill('周晓雯');
      await page.getByLabel('手机号').fill('166 0000 2468');
      const birthday = page.getByRole('group', { name: '生日' });
      await birthday.getByLabel('月', { exact: true }).selectOption('12');
      await birthday.getByLabel('日', { exact: true }).selectOption('3');
      const relative = page.getByRole('group', { name: '家人 1' });
      await relative.getByLabel('关系').fill('母亲');
      await relative.getByLabel('家人姓名').fill('周母');
      await relative.getByLabel('月', { exact: true }).selectOption('5');
      await relative.getByLabel('日', { exact: true }).selectOption('20');
      await page.getByText('芒果', { exact: true }).click();
      await Promise.all([page.waitForURL(/\/customers\/[0-9a-f]{24}$/), page.getByRole('button', { name: '保存' }).click()]);
      await page.getByRole('heading', { level: 1, name: '周晓雯' }).waitFor();
      expect(await page.getByTestId('customer-phone').textContent()).toBe('166****2468');
      expect(await page.getByText('母亲 · 周母').count()).toBe(1);

      await page.goto('/customers');
      await page.getByText('按标签筛选').click();
      await page.locator('label[for^="filter-tag-"]', { hasText: '芒果' }).click();
      await Promise.all([page.waitForURL(/tags=/), page.getByRole('button', { name: '筛选' }).click()]);
      await page.getByRole('link', { name: '周晓雯' }).waitFor();
      // The filter stays open on the chosen tag, and its count (every match carries it) arrives after the list.
      await page.locator('details[data-tag-counts-loaded="true"]').waitFor();
      const total = (await page.getByTestId('customer-total').textContent())!.replace(/\D/g, '');
      expect(Number(total)).toBeGreaterThan(0);
      expect(await page.locator('label[for^="filter-tag-"]', { hasText: '芒果' }).getByTestId('tag-count').textContent()).toBe(total);
      await shot(page, 'customers-375.png');
      expect(cspViolations(consoleErrors)).toEqual([]);
      expect(httpErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
