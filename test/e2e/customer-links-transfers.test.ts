import { describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { useTestDatabase } from '../setup/db.js';
import { openPage, PHONE, signInOnPage, submitAndLand, useBrowserAndServer } from './browser.js';
import { createCustomer, createOrg, createStaff, createStore } from '../factories.js';

useTestDatabase();

const rig = useBrowserAndServer();
const phone = () => openPage(rig, 'phone');
const signIn = (page: Page, login: string) => signInOnPage(page, login);

// Run in the page as a string: the project's types have no DOM library.
const horizontalOverflow = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth');

describe('customer page links and transfers in a real browser', () => {
  it('lets a clerk on a phone open the link page again without voiding the link she sent, copy it, and replace it only on purpose', async () => {
    const org = await createOrg();
    const store = await createStore(org._id, { name: '徐汇店' });
    const clerk = await createStaff(org._id, { roles: ['clerk'], storeId: store._id, realName: '李娜' });
    const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '王女士' });
    const staff = await phone();
    const shopper = await phone();
    try {
      const { page } = staff;
      await staff.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: rig.server.baseUrl });
      await signIn(page, clerk.login);
      await page.goto(`/customers/${customer._id}`);
      const openLinkPage = () => submitAndLand(page, () => page.getByRole('link', { name: '发送客户主页链接' }).click(), /\/page-link$/);
      await openLinkPage();
      await submitAndLand(page, () => page.getByRole('button', { name: '生成链接' }).click(), /\/page-link$/);
      await page.getByText('已生成客户主页链接。').waitFor();
      const field = page.getByLabel('专属链接');
      expect(await field.getAttribute('readonly')).not.toBeNull();
      const sent = await field.inputValue();
      expect(sent).toContain(`/my/${String(org._id)}/enter?token=`);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(PHONE.width);

      await page.getByRole('button', { name: '复制链接' }).click();
      await page.getByRole('button', { name: '已复制' }).waitFor();
      expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(sent);

      // Back to the customer and to the link page again, as the clerk who reported the bug did: the same link.
      await page.goto(`/customers/${customer._id}`);
      await openLinkPage();
      expect(await page.getByLabel('专属链接').inputValue()).toBe(sent);
      await page.reload();
      expect(await page.getByLabel('专属链接').inputValue()).toBe(sent);
      await page.getByRole('button', { name: '生成新链接（已发出的链接将失效）' }).waitFor();

      // The customer opens the link she was sent: it still works.
      await shopper.page.goto(sent);
      await submitAndLand(shopper.page, () => shopper.page.getByRole('button', { name: '在这台手机上打开' }).click(), new RegExp(`/my/${String(org._id)}$`));

      // The page now says the link was used, and a new link is an explicit choice.
      await page.reload();
      await page.getByText('上次发出的链接已被王女士打开').waitFor();
      await submitAndLand(page, () => page.getByRole('button', { name: '生成链接' }).click(), /\/page-link$/);
      const second = await page.getByLabel('专属链接').inputValue();
      await submitAndLand(page, () => page.getByRole('button', { name: '生成新链接（已发出的链接将失效）' }).click(), /\/page-link$/);
      await page.getByText('已生成新链接，之前发出的链接已失效。').waitFor();
      expect(await page.getByLabel('专属链接').inputValue()).not.toBe(second);

      expect(staff.problems()).toEqual([]);
      expect(shopper.problems()).toEqual([]);
    } finally {
      await staff.context.close();
      await shopper.context.close();
    }
  }, 120_000);

  it('lets a manager on a phone transfer a customer only to staff the rules allow, shown with store and role, and land on the list naming the new clerk', async () => {
    const org = await createOrg();
    const store = await createStore(org._id, { name: '静安店' });
    const otherStore = await createStore(org._id, { name: '浦东店' });
    const manager = await createStaff(org._id, { roles: ['manager'], storeId: store._id, realName: '张店长' });
    const clerk = await createStaff(org._id, { roles: ['clerk'], storeId: store._id, realName: '李娜' });
    await createStaff(org._id, { roles: ['clerk'], storeId: store._id, realName: '陈静' });
    await createStaff(org._id, { roles: ['clerk'], storeId: otherStore._id, realName: '周婷' });
    const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '赵先生' });
    const staff = await phone();
    try {
      const { page } = staff;
      await signIn(page, manager.login);
      await page.goto(`/customers/${customer._id}`);
      const select = page.getByLabel('转交给', { exact: true });
      const choices = await select.locator('option').allTextContents();
      expect(choices).toEqual(['—', '张店长（静安店 · 店长）', '陈静（静安店 · 导购）']);
      await select.selectOption({ label: '陈静（静安店 · 导购）' });
      await page.getByLabel('备注（写入客户动态）').fill('李娜调岗');
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(PHONE.width);
      await submitAndLand(page, () => page.getByRole('button', { name: '转交', exact: true }).click(), /\/customers$/);
      await page.getByText('已将 1 位客户转交给 陈静（静安店）。').waitFor();
      await page.getByRole('heading', { level: 1 }).waitFor();

      // The customer is still the manager's to see, the move in the timeline with its recipient and note.
      await page.goto(`/customers/${customer._id}`);
      await page.getByText('张店长 · 转交了客户').waitFor();
      await page.getByText('陈静 · 李娜调岗', { exact: true }).waitFor();
      expect(staff.problems()).toEqual([]);
    } finally {
      await staff.context.close();
    }
  }, 120_000);
});
