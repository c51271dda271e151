import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { Express } from 'express';
import { useTestDatabase } from '../setup/db.js';
import { bearerFor, buildTestApp, postForm, signIn } from '../setup/app.js';
import { createCustomer, createOrgWithTeam, PASSWORD } from '../factories.js';
import { useFrozenClock } from '../setup/clock.js';
import { runDailyFollowups } from '../../server/services/followups/daily-run.js';
import { deliverDueDigests } from '../../server/services/followups/digests.js';
import { FollowupTask } from '../../server/models/followup-task.js';

useTestDatabase();

// 10:00 on 1 December 2026 in Shanghai (outside the default do-not-disturb window, so the digest is delivered at once).
const NOW = new Date('2026-12-01T02:00:00Z');
const TODAY = '2026-12-01';
useFrozenClock(NOW);

let app: Express;
beforeAll(async () => {
  ({ app } = await buildTestApp());
});

/** The markup between two ids, e.g. one card of the page. */
function between(html: string, from: string, to: string): string {
  const start = html.indexOf(from);
  if (start < 0) throw new Error(`no ${from} in the page`);
  return html.slice(start, html.indexOf(to, start));
}

describe('the home card of upcoming birthdays', () => {
  it('says whose birthday it is and on which day (a relative’s, not the customer’s own), nearest first, each row a link to the customer', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    const mother = await createCustomer(org._id, {
      ownerId: clerk._id,
      storeId: store._id,
      name: '陈女士',
      birthday: { month: 6, day: 1 },
      relatives: [{ relation: '母亲', name: '李华', month: 12, day: 3 }],
    });
    const tomorrow = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '周先生', birthday: { month: 12, day: 2 } });
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '远的生日', birthday: { month: 12, day: 20 } });

    const page = await (await signIn(app, clerk.login, PASSWORD)).get('/console/clerk').expect(200);
    const card = between(page.text, 'id="upcoming-heading"', 'id="recent-heading"');
    const rows = [...card.matchAll(/<a [^>]*href="([^"]+)"[^>]*data-testid="upcoming-birthday">([\s\S]*?)<\/a>/g)].map(([, href, text]) => ({
      href,
      text: text!
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim(),
    }));
    expect(rows).toEqual([
      { href: `/customers/${tomorrow._id}`, text: '周先生 客户生日 明天 · 12月2日' },
      { href: `/customers/${mother._id}`, text: '陈女士 母亲李华的生日 后天 · 12月3日' },
    ]);
    expect(card).not.toContain('6月1日');
    expect(page.text).toMatch(/data-testid="upcoming-count">2</);
  });
});

describe('the completion report', () => {
  it('counts a task done today for an occasion next week in the default range, and says on which dates it counts', async () => {
    const { org, store, clerk, manager } = await createOrgWithTeam();
    const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, birthday: { month: 12, day: 5 } });
    await runDailyFollowups(String(org._id), NOW, { date: TODAY });
    const task = await FollowupTask.findOne({ orgId: org._id, customerId: customer._id }).lean();
    await request(app)
      .patch(`/api/v1/followups/${task!._id}`)
      .set(await bearerFor(app, clerk.login, PASSWORD))
      .send({ status: 'done', outcome: 'reached' })
      .expect(200);

    const res = await request(app)
      .get('/api/v1/followups/report')
      .set(await bearerFor(app, manager.login, PASSWORD))
      .expect(200);
    expect(res.body).toMatchObject({ from: '2026-11-01', to: TODAY, basis: 'occasion_or_done', totals: { total: 1, done: 1, rate: 100 } });
    // A range that ends before the day it was done, and holds no occasion of it, leaves it out.
    const before = await request(app)
      .get('/api/v1/followups/report?from=2026-11-01&to=2026-11-30')
      .set(await bearerFor(app, manager.login, PASSWORD))
      .expect(200);
    expect(before.body.totals).toMatchObject({ total: 0, done: 0 });

    const page = await (await signIn(app, manager.login, PASSWORD)).get('/followups/report').expect(200);
    expect(page.text).toMatch(/<td class="text-end">1<\/td><td class="text-end">1<\/td><td class="text-end">0<\/td><td class="text-end">100%<\/td>/);
    expect(between(page.text, 'data-testid="report-basis"', '</p>')).toContain('在这些日期内完成的任务');
  });
});

describe('the morning digest banner', () => {
  it('shows the tasks still waiting, not the morning’s figures, and says when today’s are all done', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    const today = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '今天生日', birthday: { month: 12, day: 1 } });
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '后天生日', birthday: { month: 12, day: 3 } });
    await runDailyFollowups(String(org._id), NOW, { date: TODAY });
    await deliverDueDigests(NOW);
    const agent = await signIn(app, clerk.login, PASSWORD);

    const morning = await agent.get('/followups').expect(200);
    expect(between(morning.text, 'data-testid="digest"', '</div>')).toContain('还有今天 1 条、逾期 0 条待跟进，即将到来 1 条');

    const task = await FollowupTask.findOne({ orgId: org._id, customerId: today._id }).lean();
    expect((await postForm(agent, '/followups', `/followups/${task!._id}/done`, { outcome: 'bought' })).status).toBe(303);
    const after = await agent.get('/followups').expect(200);
    const banner = between(after.text, 'data-testid="digest"', '</div>');
    expect(banner).toContain('今天和逾期的跟进都已完成，即将到来 1 条');
  });

  it('shows nothing before the digest is delivered', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, birthday: { month: 12, day: 1 } });
    await runDailyFollowups(String(org._id), NOW, { date: TODAY });
    const page = await (await signIn(app, clerk.login, PASSWORD)).get('/followups').expect(200);
    expect(page.text).not.toContain('data-testid="digest"');
  });
});

describe('days near today on the follow-up pages', () => {
  it('say today or the day after tomorrow beside the date, in the reader’s language', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, birthday: { month: 12, day: 1 } });
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, birthday: { month: 12, day: 3 } });
    await runDailyFollowups(String(org._id), NOW, { date: TODAY });
    const agent = await signIn(app, clerk.login, PASSWORD);
    const zh = await agent.get('/followups').expect(200);
    expect(zh.text).toContain('今天 · 12月1日');
    expect(zh.text).toContain('后天 · 12月3日');
    const en = await agent.get('/followups?lang=en').expect(200);
    expect(en.text).toContain('today · 1 December');
    expect(en.text).toContain('in 2 days · 3 December');
  });
});
