import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { useTestDatabase } from '../setup/db.js';
import { startTestServer } from '../setup/server.js';
import { launchBrowser, shot, submitAndLand, watchPage } from './browser.js';
import { createCustomers, createOrg, createStaff, createStore, PASSWORD } from '../factories.js';
import { fanoutLimits } from '../../server/domain/settings.js';
import { SocialPost } from '../../server/models/social-post.js';
import { deliverPostJob } from '../../jobs/post-delivery.job.js';

useTestDatabase();

const PHONE = { width: 375, height: 740 };
/** A batch of 10: thirty customers are a "large" audience here, as thousands are with the real batch. */
const BATCH = 10;
const AUDIENCE = 30;
const realBatch = fanoutLimits.deliveryBatch;

let browser: Browser;
let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  fanoutLimits.deliveryBatch = BATCH;
  [browser, server] = await Promise.all([launchBrowser(), startTestServer()]);
}, 60_000);
afterAll(async () => {
  fanoutLimits.deliveryBatch = realBatch;
  await browser?.close();
  await server?.close();
});

// Run in the page as a string: the project's types have no DOM library.
const horizontalOverflow = (page: Page) => page.evaluate<number>('document.documentElement.scrollWidth');

describe('a moment to a large audience on a phone', () => {
  it('lands on the post, which shows its progress and reloads itself until the final figures', async () => {
    const org = await createOrg();
    const store = await createStore(org._id);
    const clerk = await createStaff(org._id, { roles: ['clerk'], storeId: store._id });
    await createCustomers(org._id, AUDIENCE, { ownerId: clerk._id, storeId: store._id });

    const context = await browser.newContext({ viewport: PHONE, baseURL: server.baseUrl, locale: 'zh-CN', isMobile: true, hasTouch: true });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const { consoleErrors, httpErrors } = watchPage(page);
    try {
      await page.goto('/login');
      await page.getByLabel('账号').fill(clerk.login);
      await page.getByLabel('密码').fill(PASSWORD);
      await Promise.all([page.waitForURL(/\/console\//), page.getByRole('button', { name: '登录' }).click()]);

      await page.goto('/moments');
      await page.getByLabel('内容').fill('周末上新，到店有礼');
      await submitAndLand(page, () => page.getByRole('button', { name: '发布', exact: true }).click(), /\/moments\/[0-9a-f]{24}$/);
      await page
        .getByRole('status')
        .filter({ hasText: `正在送达 ${AUDIENCE} 位客户，已完成 ${BATCH} 位` })
        .waitFor();
      // A progress bar named by its label, as a screen reader announces it.
      const progress = page.getByRole('progressbar', { name: `正在送达：${BATCH} / ${AUDIENCE}` });
      expect(await progress.getAttribute('value')).toBe(String(BATCH));
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(PHONE.width);
      await shot(page, 'moment-delivering-375.png');

      // The job delivers the rest; the page, reloading itself, ends on the final figures.
      const post = await SocialPost.findOne({ orgId: org._id, authorId: clerk._id }).lean();
      await deliverPostJob.run({ orgId: String(org._id), postId: String(post!._id) }, undefined as never);
      await page.getByTestId('delivery-progress').waitFor({ state: 'detached', timeout: 10_000 });
      expect(await page.getByTestId('stat-reached').textContent()).toBe(String(AUDIENCE));
      expect([...consoleErrors, ...httpErrors]).toEqual([]);
    } finally {
      await context.close();
    }
  }, 90_000);
});
