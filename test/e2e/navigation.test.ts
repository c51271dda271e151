import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { useTestDatabase } from '../setup/db.js';
import { openPage, shot, signInOnPage, submitAndLand, useBrowserAndServer } from './browser.js';
import { seedDemo, DEMO_PASSWORD } from '../../server/services/seed/demo.js';

useTestDatabase();

// The demo's staff cover every role and a manager who is also a clerk (manager2); this file has a database of its own.
beforeAll(() => seedDemo(), 60_000);
const rig = useBrowserAndServer();
const logIn = (page: Page, login: string) => signInOnPage(page, login, /\/console\//, DEMO_PASSWORD);

// Measured in the page, as strings: the project's types have no DOM library.
type BarMeasure = { navHeight: number; wrapped: string[]; overflowRight: number };
const measureBar = (page: Page) =>
  page.evaluate<BarMeasure>(`(() => {
    const nav = document.querySelector('nav.app-nav');
    const wrapped = [];
    let overflowRight = 0;
    for (const item of nav.querySelectorAll('.navbar-brand, .navbar-nav > .nav-item > .nav-link, .navbar-nav > .nav-item button')) {
      const box = item.getBoundingClientRect();
      if (box.width === 0) continue;
      const style = getComputedStyle(item);
      const inner = box.height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom) - parseFloat(style.borderTopWidth) - parseFloat(style.borderBottomWidth);
      // One line of text, with room for a badge, never two.
      if (inner > parseFloat(style.lineHeight) * 1.5) wrapped.push(item.textContent.trim() + ' ' + Math.round(box.height) + 'px');
      overflowRight = Math.max(overflowRight, box.right - document.documentElement.clientWidth);
    }
    return { navHeight: nav.getBoundingClientRect().height, wrapped, overflowRight };
  })()`);
/** What sticks out past the window's right edge (nothing when the page does not scroll sideways), named for the failure message. */
const overflowing = (page: Page, within = 'body') =>
  page.evaluate<string[]>(`(() => {
    const width = document.documentElement.clientWidth;
    const sticksOut = (el) => el.checkVisibility({ visibilityProperty: true }) && el.getBoundingClientRect().right > width + 0.5;
    const fixed = [...document.querySelectorAll('${within}')].some((root) => getComputedStyle(root).position === 'fixed');
    // A fixed bar never makes the page scroll sideways, but what it cuts off is just as lost.
    if (!fixed && document.documentElement.scrollWidth <= width) return [];
    return [...document.querySelectorAll('${within} *')]
      .filter((el) => sticksOut(el) && ![...el.children].some(sticksOut))
      .map((el) => el.tagName.toLowerCase() + '.' + [...el.classList].join('.') + ' ' + (el.textContent || '').trim().slice(0, 30) + ' ' + Math.round(el.getBoundingClientRect().right) + 'px');
  })()`);

const roles = [
  { login: 'admin', home: '/console/admin' },
  { login: 'manager', home: '/console/manager' },
  { login: 'clerk', home: '/console/clerk' },
  { login: 'agent', home: '/console/agent' },
  { login: 'marketer', home: '/console/marketer' },
  { login: 'manager2', home: '/console/manager' }, // a manager who is also a clerk
];

describe('the navigation at 1366, 1920 and 375 px', () => {
  it.each(roles)(
    'fits $login on one bar on desktops and within a phone’s width',
    async ({ login, home }) => {
      const { context, page, consoleErrors, httpErrors } = await openPage(rig, 'desktop', { viewport: { width: 1366, height: 768 } });
      try {
        await logIn(page, login);
        expect(new URL(page.url()).pathname).toBe(home);
        for (const width of [1366, 1920]) {
          await page.setViewportSize({ width, height: 768 });
          const bar = await measureBar(page);
          expect({ width, ...bar }).toEqual({ width, navHeight: expect.any(Number), wrapped: [], overflowRight: expect.any(Number) });
          expect(bar.navHeight).toBeLessThan(80);
          expect(bar.overflowRight).toBeLessThanOrEqual(0);
          // Every menu opens within the window and marks nothing it does not hold.
          for (const toggle of await page.locator('nav.app-nav [data-bs-toggle="dropdown"]').all()) {
            await toggle.click();
            const menu = page.locator('nav.app-nav .dropdown-menu.show');
            await menu.waitFor();
            const box = (await menu.boundingBox())!;
            expect(box.x + box.width).toBeLessThanOrEqual(width);
            await page.keyboard.press('Escape');
            await menu.waitFor({ state: 'hidden' });
          }
        }
        // English labels are longer; a 1366 px desktop still holds them on one bar.
        await page.setViewportSize({ width: 1366, height: 768 });
        await page.goto(`${home}?lang=en`);
        expect(await measureBar(page)).toEqual({ navHeight: expect.any(Number), wrapped: [], overflowRight: expect.any(Number) });
        expect((await measureBar(page)).navHeight).toBeLessThan(80);
        await page.goto(`${home}?lang=zh-CN`);
        // The current page is marked, in its menu and on the menu's button.
        const current = page.locator('nav.app-nav [aria-current="page"]');
        expect(await current.count()).toBe(1);
        expect(await current.getAttribute('href')).toBe(home);
        if (login === 'admin') {
          await page.setViewportSize({ width: 1366, height: 768 });
          await page.getByRole('button', { name: '管理' }).click();
          await page.locator('nav.app-nav .dropdown-menu.show').waitFor();
          await shot(page, 'nav-admin-1366.png');
          await submitAndLand(page, () => page.getByRole('link', { name: '员工', exact: true }).click(), /\/admin\/staff$/);
          const adminMenu = page.locator('#nav-group-admin');
          expect(await adminMenu.getAttribute('class')).toContain('active');
          expect(await adminMenu.innerText()).toMatch(/^管理/);
          expect(await adminMenu.textContent()).toContain('（当前）');
          expect(await page.locator('nav.app-nav [aria-current="page"]').getAttribute('href')).toBe('/admin/staff');
        }

        await page.setViewportSize({ width: 375, height: 740 });
        expect(await overflowing(page)).toEqual([]);
        // Everything stays reachable from the menu, which holds the logout form.
        await page.getByRole('button', { name: '展开或收起导航' }).click();
        await page.locator('#main-nav.show').waitFor();
        await page.getByRole('button', { name: '退出登录' }).waitFor({ state: 'visible' });
        expect(await overflowing(page)).toEqual([]);
        await page.getByRole('button', { name: '关闭菜单' }).click();
        await page.locator('#main-nav.show').waitFor({ state: 'detached' });
        expect(consoleErrors).toEqual([]);
        expect(httpErrors).toEqual([]);
      } finally {
        await context.close();
      }
    },
    60_000,
  );

  it('gives the clerk’s phone a tab bar: add a customer in one tap from home, and nothing hidden behind the bar', async () => {
    const { context, page, consoleErrors, httpErrors } = await openPage(rig, 'phone');
    try {
      await logIn(page, 'clerk');
      const tabs = page.getByRole('navigation', { name: '快捷导航' });
      expect(await tabs.getByRole('link').allInnerTexts()).toEqual(['首页', '客户', '添加客户', expect.stringMatching(/^跟进/)]);
      expect(await tabs.getByRole('link', { name: '首页' }).getAttribute('aria-current')).toBe('page');
      await shot(page, 'nav-clerk-375.png');
      expect(await overflowing(page)).toEqual([]);
      expect(await overflowing(page, '.app-tabbar')).toEqual([]);

      // The page's last line scrolls out from under the bar.
      await page.evaluate('window.scrollTo(0, document.documentElement.scrollHeight)');
      const mainBottom = await page.evaluate<number>("document.querySelector('main').lastElementChild.getBoundingClientRect().bottom");
      const barTop = (await tabs.boundingBox())!.y;
      expect(mainBottom).toBeLessThanOrEqual(barTop);

      // "More" opens the full menu from the bar.
      await tabs.getByRole('button', { name: '更多' }).tap();
      // Bootstrap drops .showing when the sheet has slid in.
      await page.locator('#main-nav.show:not(.showing)').waitFor();
      await page.getByRole('button', { name: '退出登录' }).waitFor({ state: 'visible' });
      await shot(page, 'nav-clerk-menu-375.png');
      await page.getByRole('button', { name: '关闭菜单' }).tap();
      await page.locator('#main-nav.show').waitFor({ state: 'detached' });

      await submitAndLand(page, () => tabs.getByRole('link', { name: '添加客户' }).tap(), /\/customers\/new$/);
      await page.getByLabel('姓名', { exact: true }).waitFor();
      expect(await tabs.getByRole('link', { name: '添加客户' }).getAttribute('aria-current')).toBe('page');
      expect(await overflowing(page, 'nav')).toEqual([]);
      // The form's save button is reachable above the bar.
      await page.getByRole('button', { name: '保存' }).scrollIntoViewIfNeeded();
      const save = (await page.getByRole('button', { name: '保存' }).boundingBox())!;
      expect(save.y + save.height).toBeLessThanOrEqual((await tabs.boundingBox())!.y);
      expect(consoleErrors).toEqual([]);
      expect(httpErrors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
