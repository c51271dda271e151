import { describe, expect, it } from '@jest/globals';
import crypto from 'node:crypto';
import type { Types } from 'mongoose';
import sharp from 'sharp';
import { useTestDatabase } from '../setup/db.js';
import { mediaFiles } from '../setup/social.js';
import { createCustomer, createOrg, createOrgWithTeam, createStaff, createStore, createTag, ctxFor } from '../factories.js';
import { mongoose } from '../../server/db/connect.js';
import { useFrozenClock } from '../setup/clock.js';
import { ConflictError, NotFoundError, PayloadTooLargeError, RateLimitedError, ValidationError } from '../../server/errors.js';
import { Customer } from '../../server/models/customer.js';
import { CustomerGroup, GroupDayStat, GroupMember } from '../../server/models/customer-group.js';
import { Delivery, PostComment, SocialPost } from '../../server/models/social-post.js';
import { Staff } from '../../server/models/staff.js';
import { UsageCounter } from '../../server/models/usage-counter.js';
import { consumeUsage, refundUsage, usageOf } from '../../server/services/limits/usage.js';
import { touchesLeftToday } from '../../server/services/limits/contact-budget.js';
import { momentQuota, momentReach, publishMoment } from '../../server/services/moments/moments.js';
import { groupPostReach, publishGroupPost } from '../../server/services/groups/group-posts.js';
import { previewCampaignReach } from '../../server/services/campaigns/campaigns.js';
import { addMember, createFollowOnGroup, createGroup, groupDayStats, groupForInvite, joinByInvite, leaveGroup } from '../../server/services/groups/groups.js';
import { addComment, setLike, shownPosts } from '../../server/services/members/feed.js';
import { eraseCustomer } from '../../server/services/customers/erase.js';
import { storeAndDeliver } from '../../server/services/posts/publish.js';
import { sweepUnusedMedia } from '../../server/services/posts/sweep-media.js';
import { checkImages, openImage, storeImages } from '../../server/services/media/media.js';
import { createTagGroup } from '../../server/services/tags/tags.js';
import { transferCustomers } from '../../server/services/customers/transfer.js';
import { effectiveSettings, socialLimits, type OrgSettings } from '../../server/domain/settings.js';

useTestDatabase();
const clock = useFrozenClock();

// ---- builders ----------------------------------------------------------------------------------------------------

/** An organisation with one clerk who owns `customers` customers. */
async function clerkWithCustomers(settings: Partial<OrgSettings>, customers: number) {
  const org = await createOrg(settings);
  const store = await createStore(org._id);
  const clerk = await createStaff(org._id, { roles: ['clerk'], storeId: store._id });
  const owned = await Promise.all(Array.from({ length: customers }, () => createCustomer(org._id, { ownerId: clerk._id, storeId: store._id })));
  return { org, store, clerk, ctx: ctxFor(clerk), customers: owned, settings: effectiveSettings(org.settings) };
}

function settle<T>(results: PromiseSettledResult<T>[]): { ok: T[]; errors: unknown[] } {
  return {
    ok: results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])),
    errors: results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : [])),
  };
}

const times = <T>(n: number, make: (i: number) => Promise<T>) => Promise.allSettled(Array.from({ length: n }, (_, i) => make(i)));

const picture = (width: number, height: number, format: 'jpeg' | 'png' = 'jpeg') =>
  sharp({ create: { width, height, channels: 3, background: '#c83737' } })
    [format]()
    .toBuffer();

/** Starts like a JPEG (so sniffing accepts it) but does not decode: it fails only when the thumbnail is made. */
const undecodableJpeg = () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]), Buffer.alloc(200, 7)]);

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

const uniquePhone = () => `139${String(crypto.randomInt(0, 99_999_999)).padStart(8, '0')}`;

const shownCount = (orgId: Types.ObjectId, customerId: Types.ObjectId) => Delivery.countDocuments({ orgId, customerId, shown: true });

// ---- counters ----------------------------------------------------------------------------------------------------

describe('consumeUsage', () => {
  const endsAt = () => new Date(Date.now() + 3600_000);

  it('lets exactly `limit` of 50 concurrent consumes through on a fresh key', async () => {
    const org = await createOrg();
    const key = `test:${crypto.randomUUID()}`;
    const results = await Promise.all(Array.from({ length: 50 }, () => consumeUsage(org._id, key, { limit: 3 }, endsAt())));
    expect(results.filter(Boolean)).toHaveLength(3);
    expect(await usageOf(org._id, key)).toMatchObject({ used: 3 });
    expect(await UsageCounter.countDocuments({ orgId: org._id, key })).toBe(1);
  });

  it('holds a channel limit within the total, leaves the rest of the total to other channels, and takes a refund back', async () => {
    const org = await createOrg();
    const key = `test:${crypto.randomUUID()}`;
    const limits = (channel: string, limit: number) => ({ limit: 5, channel: { name: channel, limit } });

    const viaMoments = await Promise.all(Array.from({ length: 20 }, () => consumeUsage(org._id, key, limits('moment', 2), endsAt())));
    expect(viaMoments.filter(Boolean)).toHaveLength(2);
    // The channel is full, the total is not: another channel still gets the remaining 3, and no more.
    const viaGroups = await Promise.all(Array.from({ length: 20 }, () => consumeUsage(org._id, key, limits('group_post', 100), endsAt())));
    expect(viaGroups.filter(Boolean)).toHaveLength(3);
    expect(await usageOf(org._id, key)).toEqual({ used: 5, by: { moment: 2, group_post: 3 } });
    expect(await consumeUsage(org._id, key, limits('moment', 2), endsAt())).toBe(false);

    // A refund through a channel frees one use of the total and of that channel.
    await refundUsage(org._id, key, 'group_post');
    expect(await usageOf(org._id, key)).toEqual({ used: 4, by: { moment: 2, group_post: 2 } });
    expect(await consumeUsage(org._id, key, limits('moment', 2), endsAt())).toBe(false);
    const again = await Promise.all(Array.from({ length: 5 }, () => consumeUsage(org._id, key, limits('group_post', 100), endsAt())));
    expect(again.filter(Boolean)).toHaveLength(1);
    expect((await usageOf(org._id, key)).used).toBe(5);
  });

  it('never refunds below zero', async () => {
    const org = await createOrg();
    const key = `test:${crypto.randomUUID()}`;
    expect(await consumeUsage(org._id, key, { limit: 2 }, endsAt())).toBe(true);
    await refundUsage(org._id, key);
    await refundUsage(org._id, key);
    expect((await usageOf(org._id, key)).used).toBe(0);
    const results = await Promise.all(Array.from({ length: 6 }, () => consumeUsage(org._id, key, { limit: 2 }, endsAt())));
    expect(results.filter(Boolean)).toHaveLength(2);
  });

  it('never refunds a channel below zero: a refund through a channel that counted nothing changes nothing', async () => {
    const org = await createOrg();
    const key = `test:${crypto.randomUUID()}`;
    const viaGroups = { limit: 3, channel: { name: 'group_post', limit: 100 } };
    const viaMoments = { limit: 3, channel: { name: 'moment', limit: 1 } };
    expect(await consumeUsage(org._id, key, viaGroups, endsAt())).toBe(true);
    await refundUsage(org._id, key, 'moment');
    expect(await usageOf(org._id, key)).toEqual({ used: 1, by: { group_post: 1 } });
    // So the moments channel still stops at its own limit of 1.
    const moments = await Promise.all(Array.from({ length: 4 }, () => consumeUsage(org._id, key, viaMoments, endsAt())));
    expect(moments.filter(Boolean)).toHaveLength(1);
  });

  it('keeps organisations apart: the same key in two organisations counts twice', async () => {
    const [a, b] = await Promise.all([createOrg(), createOrg()]);
    const key = `test:${crypto.randomUUID()}`;
    expect(await consumeUsage(a._id, key, { limit: 1 }, endsAt())).toBe(true);
    expect(await consumeUsage(a._id, key, { limit: 1 }, endsAt())).toBe(false);
    expect(await consumeUsage(b._id, key, { limit: 1 }, endsAt())).toBe(true);
  });
});

// ---- the daily moments quota ---------------------------------------------------------------------------------------

describe('publishMoment and the daily quota', () => {
  it('makes exactly 3 posts of 50 concurrent publishes; the rest are refused with quota_exceeded until local midnight', async () => {
    // 10:00 in Shanghai on 1 December: the quota starts again at 16:00 UTC.
    clock.set('2026-12-01T02:00:00Z');
    const { org, ctx, customers } = await clerkWithCustomers({ momentsPerStaffPerDay: 3 }, 2);
    const results = settle(await times(50, (i) => publishMoment(ctx, { text: `今日新品 ${i}` })));

    expect(results.ok).toHaveLength(3);
    expect(results.errors).toHaveLength(47);
    for (const err of results.errors) {
      expect(err).toBeInstanceOf(RateLimitedError);
      expect(err).toMatchObject({ status: 429, code: 'quota_exceeded', retryAfterSeconds: 14 * 3600 });
    }
    expect((results.errors[0] as RateLimitedError).details).toMatchObject({ resetsAt: '2026-12-01T16:00:00.000Z', resetsAtLocal: '2026-12-02 00:00' });
    expect(await SocialPost.countDocuments({ orgId: org._id })).toBe(3);
    expect(await Delivery.countDocuments({ orgId: org._id })).toBe(3 * customers.length);
    expect(await momentQuota(ctx)).toEqual({ limit: 3, used: 3, left: 0, resetsAt: new Date('2026-12-01T16:00:00Z') });

    // One minute before midnight it is still used up; at midnight it is back.
    clock.set('2026-12-01T15:59:00Z');
    await expect(publishMoment(ctx, { text: '还是今天' })).rejects.toMatchObject({ code: 'quota_exceeded', retryAfterSeconds: 60 });
    clock.set('2026-12-01T16:00:00Z');
    expect(await momentQuota(ctx)).toEqual({ limit: 3, used: 0, left: 3, resetsAt: new Date('2026-12-02T16:00:00Z') });
    const next = await publishMoment(ctx, { text: '新的一天' });
    expect(next.day).toBe('2026-12-02');
  });

  it("counts the day in the organisation's own timezone (New York)", async () => {
    // 23:30 on 30 November in New York (EST, UTC-5) is already 1 December in UTC and in Shanghai.
    clock.set('2026-12-01T04:30:00Z');
    const { ctx, org } = await clerkWithCustomers({ momentsPerStaffPerDay: 2, timezone: 'America/New_York' }, 1);
    const results = settle(await times(10, (i) => publishMoment(ctx, { text: `晚安 ${i}` })));
    expect(results.ok).toHaveLength(2);
    expect(results.ok.every((post) => post.day === '2026-11-30')).toBe(true);
    expect(results.errors.every((err) => err instanceof RateLimitedError && err.code === 'quota_exceeded' && err.retryAfterSeconds === 30 * 60)).toBe(true);
    expect(await momentQuota(ctx)).toEqual({ limit: 2, used: 2, left: 0, resetsAt: new Date('2026-12-01T05:00:00Z') });

    // Half an hour later it is 1 December in New York: the quota is new.
    clock.set('2026-12-01T05:00:00Z');
    expect(await momentQuota(ctx)).toMatchObject({ used: 0, left: 2, resetsAt: new Date('2026-12-02T05:00:00Z') });
    await publishMoment(ctx, { text: '早上好' });
    expect(await SocialPost.countDocuments({ orgId: org._id, day: '2026-12-01' })).toBe(1);
  });

  it('gives the count back, and leaves no post and no picture, when a publish fails after counting', async () => {
    clock.set('2026-12-01T02:00:00Z');
    const { org, ctx } = await clerkWithCustomers({ momentsPerStaffPerDay: 3 }, 2);

    // A picture that passes the byte check but cannot be decoded fails once the quota was counted.
    await expect(publishMoment(ctx, { text: '坏图片', images: [await picture(40, 40), undecodableJpeg()] })).rejects.toMatchObject({
      status: 400,
      fields: { images: ['image_type'] },
    });
    expect(await momentQuota(ctx)).toMatchObject({ used: 0, left: 3 });

    // Storing the post itself fails after its pictures were stored: they are removed again and the count given back.
    const broken = { text: '存储失败', images: [await picture(300, 200)], campaignId: 'not-an-id' as unknown as Types.ObjectId };
    await expect(publishMoment(ctx, broken)).rejects.toThrow();
    expect(await momentQuota(ctx)).toMatchObject({ used: 0, left: 3 });
    expect(await SocialPost.countDocuments({ orgId: org._id })).toBe(0);
    expect(await Delivery.countDocuments({ orgId: org._id })).toBe(0);
    expect(await mediaFiles(org._id)).toBe(0);

    // The whole quota is still there.
    const small = await picture(50, 50);
    const results = settle(await times(5, (i) => publishMoment(ctx, { text: `正常 ${i}`, images: [small] })));
    expect(results.ok).toHaveLength(3);
    // Two files (picture and thumbnail) per published post; the refused ones stored nothing.
    expect(await mediaFiles(org._id)).toBe(6);
  });

  it('spends no quota and writes nothing for bad input', async () => {
    clock.set('2026-12-01T02:00:00Z');
    const { org, ctx } = await clerkWithCustomers({ momentsPerStaffPerDay: 3 }, 2);
    const other = await createOrgWithTeam();
    const foreignTag = (await createTagGroup(ctxFor(other.admin), { name: '外部', color: '#123456', tags: ['别家的标签'] })).tags[0]!;
    const [foreignImage] = await storeImages(ctxFor(other.clerk), await checkImages([await picture(30, 30)]));
    const good = await picture(20, 20, 'png');
    const bad: [string, Parameters<typeof publishMoment>[1], Record<string, string[]> | null][] = [
      ['empty text', { text: '   ' }, { text: ['required'] }],
      ['too long', { text: 'x'.repeat(socialLimits.postTextMax + 1) }, { text: ['too_long'] }],
      ['javascript: link', { text: '看这里', link: 'javascript:alert(1)' }, { link: ['link'] }],
      ['data: link', { text: '看这里', link: 'data:text/html,hi' }, { link: ['link'] }],
      ['10 images', { text: '十张', images: Array.from({ length: 10 }, () => good) }, { images: ['too_many_images'] }],
      [
        'images and ids over 9',
        { text: '混合', images: Array.from({ length: 5 }, () => good), imageIds: Array.from({ length: 5 }, () => String(new mongoose.Types.ObjectId())) },
        { images: ['too_many_images'] },
      ],
      ['a text file named .jpg', { text: '文本', images: [good, Buffer.from('just text, named photo.jpg')] }, { images: ['image_type'] }],
      ['an empty file', { text: '空', images: [Buffer.alloc(0)] }, { images: ['image_type'] }],
      ["another organisation's tag", { text: '标签', tagIds: [String(foreignTag._id)] }, { tagIds: ['unknown_tag'] }],
      ['a tag id that is no id', { text: '标签', tagIds: ['nope'] }, { tagIds: ['unknown_tag'] }],
      ["another organisation's picture", { text: '图片', imageIds: [String(foreignImage)] }, { imageIds: ['unknown_image'] }],
    ];
    for (const [label, input, fields] of bad) {
      const err = await publishMoment(ctx, input).then(
        () => null,
        (e: unknown) => e,
      );
      expect([label, err]).toEqual([label, expect.any(ValidationError)]);
      expect([label, (err as ValidationError).fields]).toEqual([label, fields]);
    }
    // Too large a picture is its own refusal (413), before anything is counted.
    const huge = Buffer.concat([good, Buffer.alloc(socialLimits.imageMaxBytes)]);
    await expect(publishMoment(ctx, { text: '太大', images: [huge] })).rejects.toBeInstanceOf(PayloadTooLargeError);

    expect(await momentQuota(ctx)).toMatchObject({ used: 0, left: 3 });
    expect(await UsageCounter.countDocuments({ orgId: org._id })).toBe(0);
    expect(await SocialPost.countDocuments({ orgId: org._id })).toBe(0);
    expect(await mediaFiles(org._id)).toBe(0);
  });
});

// ---- the customer's daily cap --------------------------------------------------------------------------------------

describe("the customer's daily cap of moments", () => {
  it('shows each customer 2 moments a day, holds the third back from all of them, and shows them again the next day', async () => {
    clock.set('2026-12-01T02:00:00Z');
    const { org, ctx, customers } = await clerkWithCustomers({ momentsPerCustomerPerDay: 2, momentsPerStaffPerDay: 5 }, 4);
    const first = await publishMoment(ctx, { text: '第一条' });
    const second = await publishMoment(ctx, { text: '第二条' });
    const third = await publishMoment(ctx, { text: '第三条' });

    expect(first.stats).toMatchObject({ audience: 4, reached: 4, heldBack: 0 });
    expect(second.stats).toMatchObject({ audience: 4, reached: 4, heldBack: 0 });
    expect(third.stats).toMatchObject({ audience: 4, reached: 0, heldBack: 4 });
    // The stored statistics agree with what was answered.
    expect((await SocialPost.findOne({ orgId: org._id, _id: third._id }).lean())?.stats).toMatchObject({ reached: 0, heldBack: 4 });
    const held = await Delivery.find({ orgId: org._id, postId: third._id }).lean();
    expect(held).toHaveLength(4);
    expect(held.every((d) => !d.shown && d.heldReason === 'customer_cap')).toBe(true);
    for (const customer of customers) {
      const feed = await shownPosts({ orgId: String(org._id), customerId: String(customer._id) }, { kind: 'moment' });
      expect(feed.map((p) => p.text).sort()).toEqual(['第一条', '第二条']);
    }

    clock.set('2026-12-02T02:00:00Z');
    const nextDay = await publishMoment(ctx, { text: '第二天' });
    expect(nextDay.stats).toMatchObject({ audience: 4, reached: 4, heldBack: 0 });
  });

  it('never shows a customer more than the cap when one clerk publishes 6 posts at once', async () => {
    clock.set('2026-12-01T02:00:00Z');
    const { org, ctx, customers } = await clerkWithCustomers({ momentsPerCustomerPerDay: 2, momentsPerStaffPerDay: 10, contactBudgetPerDay: 0 }, 5);
    const results = settle(await times(6, (i) => publishMoment(ctx, { text: `并发 ${i}` })));
    expect(results.errors).toEqual([]);

    for (const customer of customers) expect(await shownCount(org._id, customer._id)).toBe(2);
    expect(await Delivery.countDocuments({ orgId: org._id, shown: false, heldReason: 'customer_cap' })).toBe(6 * 5 - 2 * 5);
    const stats = (await SocialPost.find({ orgId: org._id }).lean()).map((p) => p.stats);
    expect(stats.reduce((sum, s) => sum + s.reached, 0)).toBe(10);
    expect(stats.every((s) => s.reached + s.heldBack === 5)).toBe(true);
  });
});

// ---- the contact budget -------------------------------------------------------------------------------------------

describe('the contact budget across moments and group posts', () => {
  async function clerkWithGroup(settings: Partial<OrgSettings>) {
    const team = await clerkWithCustomers({ momentsPerStaffPerDay: 10, momentsPerCustomerPerDay: 10, massMessagePolicy: 'month_days', ...settings }, 5);
    const group = await createGroup(team.ctx, { name: '水果群' });
    // Four of the five customers are in the group; the fifth receives moments only.
    for (const customer of team.customers.slice(0, 4)) await addMember(team.ctx, String(group._id), String(customer._id));
    return { ...team, group, members: team.customers.slice(0, 4), outsider: team.customers[4]! };
  }

  it('shows a group post to every member whatever the day holds, counts it, and holds back the moments after it', async () => {
    clock.set('2026-12-01T02:00:00Z');
    const { org, ctx, group, members, outsider, settings } = await clerkWithGroup({ contactBudgetPerDay: 3 });
    expect(await touchesLeftToday(org._id, members[0]!._id, 'moment', settings)).toBe(3);
    // Members chose the group: nothing about the day limits what they see there.
    expect(await touchesLeftToday(org._id, members[0]!._id, 'group_post', settings)).toBeNull();

    await publishMoment(ctx, { text: '朋友圈 1' });
    await publishMoment(ctx, { text: '朋友圈 2' });
    await publishMoment(ctx, { text: '朋友圈 3' });
    // Every member has had the day's three touches; the group posts are still shown to all of them.
    for (const i of [1, 2]) {
      const post = await publishGroupPost(ctx, String(group._id), { text: `群发 ${i}` });
      expect(post.stats).toMatchObject({ audience: 4, reached: 4, heldBack: 0 });
      expect(post.reach).toEqual({ audience: 4, reached: 4, heldBack: 0, heldBackBy: { customer_cap: 0, contact_budget: 0 } });
    }
    for (const member of members) {
      expect(await Delivery.countDocuments({ orgId: org._id, customerId: member._id, kind: 'group', shown: true })).toBe(2);
      expect(await touchesLeftToday(org._id, member._id, 'moment', settings)).toBe(0);
    }

    // The next day: a group post first counts as a touch, so it holds back the members' third moment, not the outsider's.
    clock.set('2026-12-02T02:00:00Z');
    await publishGroupPost(ctx, String(group._id), { text: '第二天的群发' });
    expect(await touchesLeftToday(org._id, members[0]!._id, 'moment', settings)).toBe(2);
    await publishMoment(ctx, { text: '第二天 1' });
    await publishMoment(ctx, { text: '第二天 2' });
    const third = await publishMoment(ctx, { text: '第二天 3' });
    expect(third.reach).toEqual({ audience: 5, reached: 1, heldBack: 4, heldBackBy: { customer_cap: 0, contact_budget: 4 } });
    expect(await Delivery.exists({ orgId: org._id, postId: third._id, customerId: outsider._id, shown: true })).toBeTruthy();
  });

  it('shows every group post to every member however posts race, and never shows a moment past the budget', async () => {
    clock.set('2026-12-01T02:00:00Z');
    const { org, ctx, group, members, outsider } = await clerkWithGroup({ contactBudgetPerDay: 3 });
    const results = settle(
      await Promise.allSettled([
        ...[1, 2, 3].map((i) => publishMoment(ctx, { text: `朋友圈 ${i}` })),
        ...[1, 2, 3].map((i) => publishGroupPost(ctx, String(group._id), { text: `群发 ${i}` })),
      ]),
    );
    expect(results.errors).toEqual([]);
    for (const member of members) {
      expect(await Delivery.countDocuments({ orgId: org._id, customerId: member._id, kind: 'group', shown: true })).toBe(3);
      // Moments are shown only while the day's touches (group posts counted first or not) leave room.
      expect(await Delivery.countDocuments({ orgId: org._id, customerId: member._id, kind: 'moment', shown: true })).toBeLessThanOrEqual(3);
    }
    expect(await Delivery.countDocuments({ orgId: org._id, kind: 'group', shown: false })).toBe(0);
    expect(await shownCount(org._id, outsider._id)).toBe(3);
  });

  it('holds nothing back for budget reasons when the budget is 0 (off); the moments cap still applies', async () => {
    clock.set('2026-12-01T02:00:00Z');
    const { org, ctx, group, members, settings } = await clerkWithGroup({ contactBudgetPerDay: 0, momentsPerCustomerPerDay: 2 });
    const results = settle(
      await Promise.allSettled([
        ...[1, 2, 3].map((i) => publishMoment(ctx, { text: `朋友圈 ${i}` })),
        ...[1, 2, 3, 4, 5].map((i) => publishGroupPost(ctx, String(group._id), { text: `群发 ${i}` })),
      ]),
    );
    expect(results.errors).toEqual([]);
    expect(await Delivery.countDocuments({ orgId: org._id, heldReason: 'contact_budget' })).toBe(0);
    for (const member of members) {
      expect(await Delivery.countDocuments({ orgId: org._id, customerId: member._id, kind: 'group', shown: true })).toBe(5);
      expect(await Delivery.countDocuments({ orgId: org._id, customerId: member._id, kind: 'moment', shown: true })).toBe(2);
      expect(await Delivery.countDocuments({ orgId: org._id, customerId: member._id, kind: 'moment', heldReason: 'customer_cap' })).toBe(1);
      expect(await touchesLeftToday(org._id, member._id, 'moment', settings)).toBe(0);
      // Nothing limits group posts for them: no number to show.
      expect(await touchesLeftToday(org._id, member._id, 'group_post', settings)).toBeNull();
    }
  });

  it('says what a customer may still receive today', async () => {
    clock.set('2026-12-01T02:00:00Z');
    const { org, ctx, group, members, settings } = await clerkWithGroup({ contactBudgetPerDay: 3, momentsPerCustomerPerDay: 2 });
    const customer = members[0]!._id;
    await publishMoment(ctx, { text: '一' });
    expect(await touchesLeftToday(org._id, customer, 'moment', settings)).toBe(1);
    await publishMoment(ctx, { text: '二' });
    // The moments cap is reached; group posts are never limited for a member, so there is no number to show.
    expect(await touchesLeftToday(org._id, customer, 'moment', settings)).toBe(0);
    expect(await touchesLeftToday(org._id, customer, 'group_post', settings)).toBeNull();
    await publishGroupPost(ctx, String(group._id), { text: '三' });
    // Past the budget, a moment is held for the budget only where the cap is not the binding reason.
    const fourth = await publishMoment(ctx, { text: '四' });
    expect(fourth.stats).toMatchObject({ reached: 0, heldBack: 5 });
  });
});

// ---- the reach preview ---------------------------------------------------------------------------------------------

describe('the reach a composer shows before posting', () => {
  async function clerkWithGroup(settings: Partial<OrgSettings>) {
    const team = await clerkWithCustomers({ momentsPerStaffPerDay: 10, momentsPerCustomerPerDay: 10, massMessagePolicy: 'month_days', ...settings }, 5);
    const group = await createGroup(team.ctx, { name: '水果群' });
    for (const customer of team.customers.slice(0, 4)) await addMember(team.ctx, String(group._id), String(customer._id));
    return { ...team, group, members: team.customers.slice(0, 4), outsider: team.customers[4]! };
  }

  it('predicts what publishing does, by reason, from the rule that decides it, and touches nobody', async () => {
    clock.set('2026-12-01T02:00:00Z');
    const { org, ctx, group, members, outsider, settings } = await clerkWithGroup({ contactBudgetPerDay: 2, momentsPerCustomerPerDay: 2 });
    await publishGroupPost(ctx, String(group._id), { text: '群发' });

    const before = await momentReach(ctx, {});
    expect(before).toEqual({ audience: 5, reached: 5, heldBack: 0, heldBackBy: { customer_cap: 0, contact_budget: 0 } });
    // Asking again and again spends nothing.
    expect(await momentReach(ctx, {})).toEqual(before);
    expect(await touchesLeftToday(org._id, outsider._id, 'moment', settings)).toBe(2);
    expect(await touchesLeftToday(org._id, members[0]!._id, 'moment', settings)).toBe(1);
    expect((await publishMoment(ctx, { text: '一' })).reach).toEqual(before);

    // Members: the group post and the moment used the budget of 2; the outsider has one touch left.
    const second = await momentReach(ctx, {});
    expect(second).toEqual({ audience: 5, reached: 1, heldBack: 4, heldBackBy: { customer_cap: 0, contact_budget: 4 } });
    expect((await publishMoment(ctx, { text: '二' })).reach).toEqual(second);
    // Now the outsider has seen the 2 moments a customer may see a day: that is the reason given for her.
    const third = await momentReach(ctx, {});
    expect(third).toEqual({ audience: 5, reached: 0, heldBack: 5, heldBackBy: { customer_cap: 1, contact_budget: 4 } });
    expect((await publishMoment(ctx, { text: '三' })).reach).toEqual(third);

    // A group post reaches every member whatever the day holds.
    expect((await groupPostReach(ctx, String(group._id))).reach).toEqual({
      audience: 4,
      reached: 4,
      heldBack: 0,
      heldBackBy: { customer_cap: 0, contact_budget: 0 },
    });
    expect((await publishGroupPost(ctx, String(group._id), { text: '群发二' })).reach).toMatchObject({ reached: 4, heldBack: 0 });
  });

  it('previews a moment to chosen tags for the customers with them only', async () => {
    clock.set('2026-12-01T02:00:00Z');
    const { org, ctx, customers } = await clerkWithCustomers({ contactBudgetPerDay: 3 }, 3);
    const tagId = (await createTag(org._id, { name: '车厘子' }))._id;
    await Customer.updateOne({ orgId: org._id, _id: customers[0]!._id }, { $set: { tagIds: [tagId] } });
    expect(await momentReach(ctx, { tagIds: [String(tagId)] })).toMatchObject({ audience: 1, reached: 1 });
  });

  it('reports what actually happened when someone else touched the customers after the preview', async () => {
    clock.set('2026-12-01T02:00:00Z');
    const { ctx, group } = await clerkWithGroup({ contactBudgetPerDay: 1 });
    const preview = await momentReach(ctx, {});
    expect(preview).toMatchObject({ reached: 5, heldBack: 0 });
    // Meanwhile the group post counts as the members' touch of the day.
    await publishGroupPost(ctx, String(group._id), { text: '群发' });
    const post = await publishMoment(ctx, { text: '朋友圈' });
    expect(post.reach).toEqual({ audience: 5, reached: 1, heldBack: 4, heldBackBy: { customer_cap: 0, contact_budget: 4 } });
    expect(post.stats).toMatchObject({ reached: 1, heldBack: 4 });
  });

  it("previews a campaign as of now: the target stores' clerks' customers, or each member of their groups once", async () => {
    clock.set('2026-12-01T02:00:00Z');
    const { org, store, ctx, group, customers } = await clerkWithGroup({ contactBudgetPerDay: 1 });
    const marketer = await createStaff(org._id, { roles: ['marketer'] });
    const other = await createStore(org._id);
    const second = await createGroup(ctx, { name: '第二个群' });
    await addMember(ctx, String(second._id), String(customers[0]!._id));
    await publishGroupPost(ctx, String(group._id), { text: '群发' });

    const marketing = ctxFor(marketer);
    const moments = await previewCampaignReach(marketing, { kind: 'moment', storeIds: [String(store._id)], tagIds: [] });
    expect(moments).toMatchObject({ audience: 5, reached: 1, heldBack: 4, heldBackBy: { customer_cap: 0, contact_budget: 4 }, targets: 1 });
    expect(moments.asOf).toEqual(new Date('2026-12-01T02:00:00Z'));
    const groups = await previewCampaignReach(marketing, { kind: 'group', storeIds: [], tagIds: [] });
    expect(groups).toMatchObject({ audience: 4, reached: 4, heldBack: 0, targets: 2 });
    expect(await previewCampaignReach(marketing, { kind: 'moment', storeIds: [String(other._id)], tagIds: [] })).toMatchObject({ audience: 0, targets: 0 });
    await expect(previewCampaignReach(ctx, { kind: 'moment', storeIds: [], tagIds: [] })).rejects.toThrow();
  });
});

// ---- the group member cap ------------------------------------------------------------------------------------------

describe('the group member cap', () => {
  it('admits exactly 10 of 40 concurrent joins; the others are told the group is full', async () => {
    clock.set('2026-12-01T02:00:00Z');
    const { org, ctx } = await clerkWithCustomers({}, 0);
    const group = await createGroup(ctx, { name: '会员群', cap: 10 });
    const results = settle(await times(40, (i) => joinByInvite(group.inviteKey, { name: `顾客${i}`, phone: uniquePhone() })));

    expect(results.ok).toHaveLength(10);
    expect(results.ok.every((r) => r.joined)).toBe(true);
    expect(results.errors).toHaveLength(30);
    for (const err of results.errors) {
      expect(err).toBeInstanceOf(ConflictError);
      expect(err).toMatchObject({ status: 409, code: 'group_full' });
    }
    expect(await GroupMember.countDocuments({ orgId: org._id, groupId: group._id })).toBe(10);
    expect((await CustomerGroup.findOne({ orgId: org._id, _id: group._id }).lean())?.memberCount).toBe(10);
    expect(await groupDayStats(ctx, String(group._id))).toEqual([{ day: '2026-12-01', joins: 10, leaves: 0 }]);
    // Joining a full group through the page, once more, is refused with the same answer.
    await expect(joinByInvite(group.inviteKey, { name: '晚来的', phone: uniquePhone() })).rejects.toMatchObject({
      code: 'group_full',
      details: { cap: 10, followOnGroupId: null },
    });

    // A follow-on group takes over the invite link.
    const followOn = await createFollowOnGroup(ctx, String(group._id));
    expect(followOn.name).toBe('会员群 2');
    const opened = await groupForInvite(group.inviteKey);
    expect(String(opened.group._id)).toBe(String(followOn._id));
    expect(opened.full).toBe(false);
    const late = await joinByInvite(group.inviteKey, { name: '晚来的', phone: uniquePhone() });
    expect(String(late.group._id)).toBe(String(followOn._id));
    expect((await CustomerGroup.findOne({ orgId: org._id, _id: followOn._id }).lean())?.memberCount).toBe(1);

    // A member leaves: the count follows, the day records the leave, and the first group opens again.
    const leaver = results.ok[0]!.customer;
    await leaveGroup({ orgId: String(org._id), customerId: String(leaver._id) }, String(group._id));
    expect((await CustomerGroup.findOne({ orgId: org._id, _id: group._id }).lean())?.memberCount).toBe(9);
    expect(await GroupMember.countDocuments({ orgId: org._id, groupId: group._id })).toBe(9);
    expect(await GroupDayStat.findOne({ orgId: org._id, groupId: group._id, day: '2026-12-01' }).lean()).toMatchObject({ joins: 10, leaves: 1 });
    expect(String((await groupForInvite(group.inviteKey)).group._id)).toBe(String(group._id));
    // Leaving twice is not a second leave.
    await expect(leaveGroup({ orgId: String(org._id), customerId: String(leaver._id) }, String(group._id))).rejects.toBeInstanceOf(NotFoundError);
    expect((await CustomerGroup.findOne({ orgId: org._id, _id: group._id }).lean())?.memberCount).toBe(9);
  });

  it('makes one customer and one membership of 10 concurrent joins with the same number', async () => {
    const { org, ctx, clerk } = await clerkWithCustomers({}, 0);
    const group = await createGroup(ctx, { name: '双击群' });
    const phone = uniquePhone();
    const results = settle(await times(10, () => joinByInvite(group.inviteKey, { name: '同一个人', phone })));
    expect(results.errors).toEqual([]);
    expect(results.ok.filter((r) => r.joined)).toHaveLength(1);
    expect(new Set(results.ok.map((r) => String(r.customer._id))).size).toBe(1);
    const customers = await Customer.find({ orgId: org._id }).lean();
    expect(customers).toHaveLength(1);
    // A new customer from the invite page belongs to the group's owner.
    expect(customers[0]).toMatchObject({ source: 'online', ownerId: clerk._id });
    expect(await GroupMember.countDocuments({ orgId: org._id, groupId: group._id })).toBe(1);
    expect((await CustomerGroup.findOne({ orgId: org._id, _id: group._id }).lean())?.memberCount).toBe(1);
  });
});

// ---- media ---------------------------------------------------------------------------------------------------------

describe('media', () => {
  it('judges pictures by their bytes, their number and their size', async () => {
    await expect(checkImages([Buffer.from('plain text in a file named photo.jpg')])).rejects.toMatchObject({ status: 400, fields: { images: ['image_type'] } });
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>');
    await expect(checkImages([svg])).rejects.toBeInstanceOf(ValidationError);
    const small = await picture(10, 10, 'png');
    await expect(checkImages(Array.from({ length: socialLimits.postImagesMax + 1 }, () => small))).rejects.toMatchObject({
      fields: { images: ['too_many_images'] },
    });
    expect(await checkImages(Array.from({ length: socialLimits.postImagesMax }, () => small))).toHaveLength(socialLimits.postImagesMax);
    const tooBig = Buffer.concat([small, Buffer.alloc(socialLimits.imageMaxBytes + 1 - small.length)]);
    expect(tooBig.length).toBe(socialLimits.imageMaxBytes + 1);
    await expect(checkImages([tooBig])).rejects.toMatchObject({ status: 413 });
    const [checked] = await checkImages([await picture(10, 10, 'jpeg')]);
    expect(checked).toMatchObject({ mime: 'image/jpeg', ext: 'jpg' });
  });

  it('stores the original and a thumbnail no wider than the feed column, and shows them to their organisation only', async () => {
    const { org, clerk } = await createOrgWithTeam();
    const other = await createOrgWithTeam();
    const original = await picture(1200, 800, 'jpeg');
    const smallPng = await picture(100, 60, 'png');
    const ids = await storeImages(ctxFor(clerk), await checkImages([original, smallPng]));
    expect(ids).toHaveLength(2);
    expect(await mediaFiles(org._id)).toBe(4);

    const full = await openImage(String(org._id), String(ids[0]), 'original');
    expect(full.mime).toBe('image/jpeg');
    expect((await readAll(full.stream)).equals(original)).toBe(true);
    const thumb = await openImage(String(org._id), String(ids[0]), 'thumb');
    const thumbMeta = await sharp(await readAll(thumb.stream)).metadata();
    expect(thumb.mime).toBe('image/webp');
    expect(thumbMeta).toMatchObject({ format: 'webp', width: socialLimits.thumbnailWidth, height: 240 });
    // A small picture is not enlarged.
    const smallThumb = await sharp(await readAll((await openImage(String(org._id), String(ids[1]), 'thumb')).stream)).metadata();
    expect(smallThumb.width).toBe(100);

    await expect(openImage(String(other.org._id), String(ids[0]), 'original')).rejects.toBeInstanceOf(NotFoundError);
    await expect(openImage(String(other.org._id), String(ids[0]), 'thumb')).rejects.toBeInstanceOf(NotFoundError);
    // A thumbnail's own id is not a picture one may open.
    const thumbFile = await mongoose.connection.db!.collection('media.files').findOne({ 'metadata.thumbOf': ids[0] });
    expect(thumbFile).not.toBeNull();
    await expect(openImage(String(org._id), String(thumbFile!._id), 'original')).rejects.toBeInstanceOf(NotFoundError);
    await expect(openImage(String(org._id), 'not-an-id', 'original')).rejects.toBeInstanceOf(NotFoundError);
  });
});

// ---- groups follow a departed clerk's book ---------------------------------------------------------------------------

describe('group ownership on transfer', () => {
  it("moves a departed clerk's groups with her whole book, and leaves an active clerk's groups where they are", async () => {
    const { org, store, otherStore, admin } = await createOrgWithTeam();
    const leaving = await createStaff(org._id, { roles: ['clerk'], storeId: store._id });
    const staying = await createStaff(org._id, { roles: ['clerk'], storeId: store._id });
    const successor = await createStaff(org._id, { roles: ['clerk'], storeId: otherStore._id });
    const leavingCustomers = await Promise.all([1, 2, 3].map(() => createCustomer(org._id, { ownerId: leaving._id, storeId: store._id })));
    const stayingCustomers = await Promise.all([1, 2].map(() => createCustomer(org._id, { ownerId: staying._id, storeId: store._id })));
    const leavingGroups = await Promise.all(['甲群', '乙群'].map((name) => createGroup(ctxFor(leaving), { name })));
    const stayingGroup = await createGroup(ctxFor(staying), { name: '丙群' });
    await Staff.updateOne({ orgId: org._id, _id: leaving._id }, { $set: { status: 'left' } });

    // An active clerk's selected customers move alone.
    const selected = await transferCustomers(ctxFor(admin), {
      customerIds: [String(stayingCustomers[0]!._id)],
      fromStaffId: String(staying._id),
      toStaffId: String(successor._id),
      note: '',
    });
    expect(selected.moved).toBe(1);
    expect(selected.groupsMoved ?? 0).toBe(0);
    // So does an active clerk's whole book: she keeps running her groups.
    const wholeActive = await transferCustomers(ctxFor(admin), {
      customerIds: [],
      fromStaffId: String(staying._id),
      toStaffId: String(successor._id),
      note: '',
    });
    expect(wholeActive.moved).toBe(1);
    expect(wholeActive.groupsMoved ?? 0).toBe(0);
    expect(await CustomerGroup.findOne({ orgId: org._id, _id: stayingGroup._id }).lean()).toMatchObject({ ownerId: staying._id, storeId: store._id });

    // A departed clerk's whole book takes her groups along, into the successor's store.
    const whole = await transferCustomers(ctxFor(admin), {
      customerIds: [],
      fromStaffId: String(leaving._id),
      toStaffId: String(successor._id),
      note: '离职交接',
    });
    expect(whole.moved).toBe(leavingCustomers.length);
    expect(whole.groupsMoved).toBe(2);
    for (const group of leavingGroups) {
      expect(await CustomerGroup.findOne({ orgId: org._id, _id: group._id }).lean()).toMatchObject({ ownerId: successor._id, storeId: otherStore._id });
    }
    expect(await CustomerGroup.countDocuments({ orgId: org._id, ownerId: leaving._id })).toBe(0);
  });

  it("does not move a departed clerk's groups when only some of her customers are transferred", async () => {
    const { org, store, admin, clerk } = await createOrgWithTeam();
    const leaving = await createStaff(org._id, { roles: ['clerk'], storeId: store._id });
    const [first] = await Promise.all([1, 2].map(() => createCustomer(org._id, { ownerId: leaving._id, storeId: store._id })));
    const group = await createGroup(ctxFor(leaving), { name: '留守群' });
    await Staff.updateOne({ orgId: org._id, _id: leaving._id }, { $set: { status: 'left' } });
    const result = await transferCustomers(ctxFor(admin), {
      customerIds: [String(first!._id)],
      fromStaffId: String(leaving._id),
      toStaffId: String(clerk._id),
      note: '',
    });
    expect(result.moved).toBe(1);
    expect(result.groupsMoved ?? 0).toBe(0);
    expect((await CustomerGroup.findOne({ orgId: org._id, _id: group._id }).lean())?.ownerId).toEqual(leaving._id);
  });
});

describe('a post that cannot be delivered', () => {
  it('is taken back whole: no post, no deliveries, and the customers touches are given back', async () => {
    const { org, clerk, customers, settings } = await clerkWithCustomers({ contactBudgetPerDay: 3 }, 2);
    const [first, second] = customers as [(typeof customers)[number], (typeof customers)[number]];
    const touchesBefore = await touchesLeftToday(org._id, first._id, 'moment', settings);
    // The same customer twice in the audience breaks the one-delivery-per-customer rule half-way through.
    const post = { kind: 'moment' as const, authorId: clerk._id, text: '新品', imageIds: [], link: null, day: '2026-11-22' };
    await expect(storeAndDeliver(org._id, post, [first._id, second._id, first._id], settings)).rejects.toThrow();
    expect(await SocialPost.countDocuments({ orgId: org._id })).toBe(0);
    expect(await Delivery.countDocuments({ orgId: org._id })).toBe(0);
    expect(await touchesLeftToday(org._id, first._id, 'moment', settings)).toBe(touchesBefore);
    expect(await touchesLeftToday(org._id, second._id, 'moment', settings)).toBe(touchesBefore);
  });
});

describe('erasing a customer', () => {
  it('frees their group place, deletes their comments and takes their likes and comments out of the posts figures', async () => {
    const { org, ctx, customers } = await clerkWithCustomers({ contactBudgetPerDay: 0 }, 2);
    const [leaving, staying] = customers as [(typeof customers)[number], (typeof customers)[number]];
    const group = await createGroup(ctx, { name: '果友群' });
    for (const c of customers) await addMember(ctx, String(group._id), String(c._id));
    const post = await publishMoment(ctx, { text: '新品' });
    for (const c of customers) {
      const member = { orgId: String(org._id), customerId: String(c._id) };
      await setLike(member, String(post._id), true);
      await addComment(member, String(post._id), `来自${c.name}`);
    }
    const admin = await createStaff(org._id, { roles: ['admin'] });
    await eraseCustomer(ctxFor(admin), String(leaving._id));

    expect(await GroupMember.countDocuments({ orgId: org._id, groupId: group._id })).toBe(1);
    expect((await CustomerGroup.findOne({ orgId: org._id, _id: group._id }).lean())?.memberCount).toBe(1);
    expect(await PostComment.countDocuments({ orgId: org._id, customerId: leaving._id })).toBe(0);
    expect((await SocialPost.findOne({ orgId: org._id, _id: post._id }).lean())?.stats).toMatchObject({ likes: 1, comments: 1 });
    expect(await PostComment.countDocuments({ orgId: org._id, customerId: staying._id })).toBe(1);
  });
});

describe('the sweep of unused pictures', () => {
  it('removes uploads nothing shows once their grace period is over, and keeps the ones a post shows', async () => {
    const { org, ctx } = await clerkWithCustomers({}, 1);
    const [used, unused] = await storeImages(ctx, await checkImages([await picture(8, 8), await picture(8, 8)]));
    await publishMoment(ctx, { text: '有图', imageIds: [String(used)] });
    expect(await mediaFiles(org._id)).toBe(4);
    // Within the grace period nothing goes.
    expect(await sweepUnusedMedia(new Date(Date.now() + 3_600_000))).toBe(0);
    const later = new Date(Date.now() + (socialLimits.unattachedMediaHours + 1) * 3_600_000);
    expect(await sweepUnusedMedia(later)).toBeGreaterThanOrEqual(1);
    expect(await mediaFiles(org._id)).toBe(2);
    await expect(openImage(String(org._id), String(unused), 'original')).rejects.toBeInstanceOf(NotFoundError);
    expect((await openImage(String(org._id), String(used), 'thumb')).mime).toBe('image/webp');
  });
});
