import { describe, expect, it } from '@jest/globals';
import { useTestDatabase } from '../setup/db.js';
import { openPage, PHONE, signInOnPage, submitAndLand, useBrowserAndServer } from './browser.js';
import { createCustomer, createOrg, createStaff, createStore, ctxFor } from '../factories.js';
import { publishMoment } from '../../server/services/moments/moments.js';
import { memberTokenFor } from '../../server/services/members/members.js';

useTestDatabase();
const rig = useBrowserAndServer();

// Run in the page as a string: the project's types have no DOM library.
const pageWidth = (page: Parameters<typeof signInOnPage>[0]) => page.evaluate<number>('document.documentElement.scrollWidth');

describe('replies under moments’ comments on phones', () => {
  it('lets a customer comment, the clerk answer under the comment (an empty answer explained), and the customer read the answer', async () => {
    const org = await createOrg({ contactBudgetPerDay: 0 });
    const store = await createStore(org._id);
    const clerk = await createStaff(org._id, { roles: ['clerk'], storeId: store._id, realName: '王芳' });
    const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '吴女士' });
    const momentText = '今日到店：草莓大福';
    const post = await publishMoment(ctxFor(clerk), { text: momentText, link: null, images: [] });
    const orgId = String(org._id);

    const customerSide = await openPage(rig, 'phone');
    const clerkSide = await openPage(rig, 'phone');
    try {
      // The customer's phone is remembered, as after opening her clerk's personal link.
      await customerSide.context.addCookies([{ name: 'sl_member', value: memberTokenFor(customer), url: `${rig.server.baseUrl}/my/${orgId}` }]);
      const customerPage = customerSide.page;
      await customerPage.goto(`/my/${orgId}`);
      const moment = customerPage.getByRole('region', { name: '动态' }).getByRole('article').filter({ hasText: momentText });
      await moment.getByLabel('写评论').fill('有抹茶味的吗？');
      await moment.getByRole('button', { name: '发送' }).click();
      await moment.getByRole('list', { name: '我的评论' }).getByText('有抹茶味的吗？').waitFor();

      const clerkPage = clerkSide.page;
      await signInOnPage(clerkPage, clerk.login);
      await clerkPage.goto(`/moments/${String(post._id)}`);
      const comment = clerkPage.getByTestId('comment').filter({ hasText: '有抹茶味的吗？' });
      await submitAndLand(clerkPage, () => comment.getByRole('button', { name: '回复' }).click(), /\/moments\/[0-9a-f]{24}/);
      await comment.getByRole('alert').filter({ hasText: '必填。' }).waitFor();
      expect(await pageWidth(clerkPage)).toBeLessThanOrEqual(PHONE.width);

      await clerkPage.getByLabel('回复这条评论').fill('有的，周六上架！');
      await submitAndLand(clerkPage, () => comment.getByRole('button', { name: '回复' }).click(), /\/moments\/[0-9a-f]{24}#comment-/);
      await clerkPage.getByText('回复已发送，顾客会在自己的页面看到。').waitFor();
      await comment.getByTestId('comment-reply').filter({ hasText: '王芳: 有的，周六上架！' }).waitFor();
      expect(await pageWidth(clerkPage)).toBeLessThanOrEqual(PHONE.width);

      await customerPage.reload();
      await moment.getByRole('list', { name: '店家的回复' }).getByText('店家回复: 有的，周六上架！').waitFor();
      expect(await pageWidth(customerPage)).toBeLessThanOrEqual(PHONE.width);
      // The empty answer's 400 is the form shown again on purpose; nothing else may fail.
      const expected = (problem: string) => /400 .*\/replies$/.test(problem) || /status of 400/.test(problem);
      expect([...customerSide.problems(), ...clerkSide.problems()].filter((problem) => !expected(problem))).toEqual([]);
    } finally {
      await customerSide.context.close();
      await clerkSide.context.close();
    }
  });
});
