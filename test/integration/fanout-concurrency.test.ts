import { describe, expect, it } from '@jest/globals';
import { useTestDatabase } from '../setup/db.js';
import { useFrozenClock } from '../setup/clock.js';
import { createCustomers, createOrg, createStaff, createStore } from '../factories.js';
import { Delivery, SocialPost } from '../../server/models/social-post.js';
import { UsageCounter } from '../../server/models/usage-counter.js';
import { storeAndDeliver } from '../../server/services/posts/publish.js';
import { effectiveSettings } from '../../server/domain/settings.js';

useTestDatabase();
const clock = useFrozenClock();

const CUSTOMERS = 2000;
const POSTS = 20;
const CAP = 2;
const BUDGET = 3;
const GROUP_POSTS = 2;

/** Customer i is in post p's audience for three of every twenty (i, p): each customer is in 3 of the 20, above the cap. */
const inAudience = (i: number, p: number) => (i * 7 + p * 13) % 20 < 3;
/** A third of the customers had group posts earlier today: the contact budget, not the cap, is what holds their moments back. */
const hadGroupPosts = (i: number) => i % 3 === 0;

describe('publishing to large overlapping audiences at once', () => {
  it(`counts every customer exactly when ${POSTS} moments go to overlapping audiences of ${CUSTOMERS} customers at once`, async () => {
    clock.set('2026-12-01T02:00:00Z');
    const org = await createOrg({ momentsPerCustomerPerDay: CAP, contactBudgetPerDay: BUDGET, momentsPerStaffPerDay: 10 });
    const settings = effectiveSettings(org.settings);
    const store = await createStore(org._id);
    const clerks = await Promise.all(Array.from({ length: POSTS }, () => createStaff(org._id, { roles: ['clerk'], storeId: store._id })));
    const customers = (await createCustomers(org._id, CUSTOMERS, { ownerId: clerks[0]!._id, storeId: store._id })).map((c) => c._id);
    const post = (p: number, kind: 'moment' | 'group') => ({
      kind,
      authorId: clerks[p]!._id,
      storeId: store._id,
      text: `上新 ${kind} ${p}`,
      imageIds: [],
      link: null,
      day: '2026-12-01',
    });

    const grouped = customers.filter((_, i) => hadGroupPosts(i));
    for (let g = 0; g < GROUP_POSTS; g++) await storeAndDeliver(org._id, post(g, 'group'), grouped, settings);

    // Every moment goes through the same fan-out a publish takes, all at once, each to its own part of the customers.
    const audiences = Array.from({ length: POSTS }, (_, p) => customers.filter((_, i) => inAudience(i, p)));
    const published = await Promise.all(audiences.map((audience, p) => storeAndDeliver(org._id, post(p, 'moment'), audience, settings)));

    const [shown, counters] = await Promise.all([
      Delivery.aggregate<{ _id: string; shown: number; held: string[] }>([
        { $match: { orgId: org._id, kind: 'moment' } },
        { $group: { _id: '$customerId', shown: { $sum: { $cond: ['$shown', 1, 0] } }, held: { $push: '$heldReason' } } },
      ]),
      UsageCounter.find({ orgId: org._id, key: /^touch:/ }, { key: 1, used: 1, by: 1 }).lean(),
    ]);
    const shownBy = new Map(shown.map((row) => [String(row._id), row]));
    const counterBy = new Map(counters.map((c) => [c.key.split(':')[1]!, c]));
    let exact = 0;
    for (const [i, customerId] of customers.entries()) {
      const posts = audiences.filter((_, p) => inAudience(i, p)).length;
      const earlier = hadGroupPosts(i) ? GROUP_POSTS : 0;
      const expected = Math.min(posts, CAP, BUDGET - earlier);
      const row = shownBy.get(String(customerId));
      const counter = counterBy.get(String(customerId));
      // Shown exactly as often as the limits allow: never above either, never below (nothing failed).
      expect([i, row?.shown]).toEqual([i, expected]);
      // The counter agrees with the deliveries.
      expect([i, counter?.used, counter?.by?.moment]).toEqual([i, earlier + expected, expected]);
      // The reason given is the limit that binds: the cap for most, the day's budget after the group posts.
      const reason = CAP <= BUDGET - earlier ? 'customer_cap' : 'contact_budget';
      expect([i, row?.held.filter((r) => r !== null)]).toEqual([i, Array(posts - expected).fill(reason)]);
      exact += 1;
    }
    expect(exact).toBe(CUSTOMERS);

    // Each post's statistics add up, as answered and as stored, and agree with its deliveries.
    const stored = new Map((await SocialPost.find({ orgId: org._id, kind: 'moment' }).lean()).map((p) => [String(p._id), p.stats]));
    for (const [p, result] of published.entries()) {
      const reachedHere = await Delivery.countDocuments({ orgId: org._id, postId: result._id, shown: true });
      expect([p, result.stats.audience, result.stats.reached + result.stats.heldBack]).toEqual([p, audiences[p]!.length, audiences[p]!.length]);
      expect([p, result.reach.reached]).toEqual([p, reachedHere]);
      expect([p, stored.get(String(result._id))]).toEqual([p, expect.objectContaining({ reached: reachedHere, heldBack: audiences[p]!.length - reachedHere })]);
    }
    const totalReached = published.reduce((sum, r) => sum + r.stats.reached, 0);
    expect(totalReached).toBe(shown.reduce((sum, row) => sum + row.shown, 0));
  }, 600_000);
});
