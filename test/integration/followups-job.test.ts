import { describe, expect, it } from '@jest/globals';
import { useTestDatabase } from '../setup/db.js';
import { createCustomer, createOrgWithTeam, createOrgEventRule, createStaff, createOrg, ctxFor } from '../factories.js';
import { Customer } from '../../server/models/customer.js';
import { FollowupTask, FollowupDigest } from '../../server/models/followup-task.js';
import { Staff } from '../../server/models/staff.js';
import { createFollowupTasks } from '../../server/services/followups/generate.js';
import { runDailyFollowups } from '../../server/services/followups/daily-run.js';
import { deliverDueDigests } from '../../server/services/followups/digests.js';
import { transferCustomers } from '../../server/services/customers/transfer.js';
import { updateFollowupRule } from '../../server/services/followups/rules.js';
import { domainEvents } from '../../server/services/events.js';
import type { Types } from 'mongoose';

useTestDatabase();

const tasksOf = async (orgId: Types.ObjectId) => FollowupTask.find({ orgId }).sort({ date: 1, key: 1 }).lean();

describe('the daily follow-up run', () => {
  it("creates birthday and relatives' birthday tasks for the owner within the lead time, with relation-aware wording", async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    const inWindow = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '王芳', birthday: { month: 12, day: 5, year: 1990 } });
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, birthday: { month: 12, day: 9 } }); // 8 days ahead: outside 7
    const mother = await createCustomer(org._id, {
      ownerId: clerk._id,
      storeId: store._id,
      birthday: { month: 6, day: 1 },
      relatives: [{ relation: '母亲', name: '李华', month: 12, day: 3 }],
    });

    const result = await createFollowupTasks(String(org._id), '2026-12-01');
    expect(result).toMatchObject({ created: 2, matched: 2 });
    const tasks = await tasksOf(org._id);
    expect(tasks.map((t) => [String(t.customerId), t.occasion, t.date, t.relative?.name ?? null, String(t.ownerId)])).toEqual([
      [String(mother._id), 'relative-birthday', '2026-12-03', '李华', String(clerk._id)],
      [String(inWindow._id), 'birthday', '2026-12-05', null, String(clerk._id)],
    ]);
  });

  it('is exactly once: a second run, and two runs at the same moment, create nothing new', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    for (let i = 0; i < 30; i += 1) await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, birthday: { month: 12, day: 1 + (i % 7) } });
    const [a, b] = await Promise.all([createFollowupTasks(String(org._id), '2026-12-01'), createFollowupTasks(String(org._id), '2026-12-01')]);
    expect(a.created + b.created).toBe(30);
    expect(await FollowupTask.countDocuments({ orgId: org._id })).toBe(30);
    const again = await createFollowupTasks(String(org._id), '2026-12-02');
    expect(again.created).toBe(0);
    expect(await FollowupTask.countDocuments({ orgId: org._id })).toBe(30);
  });

  it('wraps the window across the year end', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, birthday: { month: 12, day: 30 } });
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, birthday: { month: 1, day: 3 } });
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, birthday: { month: 1, day: 10 } });
    await updateFollowupRule(ctxFor((await Staff.findOne({ orgId: org._id, roles: 'admin' }))!), 'birthday', {
      enabled: true,
      leadDays: 10,
      tagIds: [],
      storeIds: [],
      message: '',
    });
    await createFollowupTasks(String(org._id), '2026-12-25');
    expect((await tasksOf(org._id)).map((t) => t.date)).toEqual(['2026-12-30', '2027-01-03']);
  });

  it('reminds 29 February birthdays on 28 February in common years, and on the day in leap years', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, birthday: { month: 2, day: 29, year: 1992 } });
    await createFollowupTasks(String(org._id), '2027-02-21');
    await createFollowupTasks(String(org._id), '2028-02-22');
    expect((await tasksOf(org._id)).map((t) => t.date)).toEqual(['2027-02-28', '2028-02-29']);
  });

  it('catches up after downtime: the next run creates what missed days would have, while the occasion is ahead', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, birthday: { month: 12, day: 2 } }); // entered the window on 25 Nov
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, birthday: { month: 12, day: 6 } }); // entered on 29 Nov
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, birthday: { month: 11, day: 30 } }); // already past
    // Last run on 24 November; the server was down until 1 December.
    const result = await createFollowupTasks(String(org._id), '2026-12-01');
    expect(result.created).toBe(2);
    expect((await tasksOf(org._id)).map((t) => t.date)).toEqual(['2026-12-02', '2026-12-06']);
  });

  it('creates lunar festival tasks for the audience the rule names, and none for customers of staff who left', async () => {
    const { org, store, otherStore, clerk, admin } = await createOrgWithTeam();
    const left = await createStaff(org._id, { roles: ['clerk'], storeId: store._id, status: 'left' });
    const other = await createStaff(org._id, { roles: ['clerk'], storeId: otherStore._id });
    const mine = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id });
    await createCustomer(org._id, { ownerId: other._id, storeId: otherStore._id });
    await createCustomer(org._id, { ownerId: left._id, storeId: store._id });
    await updateFollowupRule(ctxFor(admin), 'mid-autumn', { enabled: true, leadDays: 10, tagIds: [], storeIds: [String(store._id)], message: '' });
    // Mid-Autumn 2027 is 15 September (lunar 8/15).
    expect((await createFollowupTasks(String(org._id), '2027-09-04')).created).toBe(0);
    await createFollowupTasks(String(org._id), '2027-09-05');
    const tasks = await tasksOf(org._id);
    expect(tasks.map((t) => [String(t.customerId), t.occasion, t.date])).toEqual([[String(mine._id), 'mid-autumn', '2027-09-15']]);

    // Later runs in the lead time look only at customers added or changed since, and still reach them.
    await Customer.updateMany({ orgId: org._id }, { $set: { updatedAt: new Date(Date.now() - 86_400_000) } }, { timestamps: false });
    expect((await createFollowupTasks(String(org._id), '2027-09-06')).matched).toBe(0);
    const newcomer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id });
    expect(await createFollowupTasks(String(org._id), '2027-09-07')).toMatchObject({ matched: 1, created: 1 });
    expect(await FollowupTask.countDocuments({ orgId: org._id, customerId: newcomer._id, occasion: 'mid-autumn' })).toBe(1);
    // Changing the rule makes the next run go through the whole audience again.
    await updateFollowupRule(ctxFor(admin), 'mid-autumn', { enabled: true, leadDays: 10, tagIds: [], storeIds: [], message: '' });
    expect(await createFollowupTasks(String(org._id), '2027-09-08')).toMatchObject({ matched: 3, created: 1 });
  });

  it('creates tasks for a yearly organisation event and not after a one-off event has passed', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id });
    await createOrgEventRule(org._id, { name: '会员日', month: 12, day: 3 }, { leadDays: 3 });
    await createOrgEventRule(org._id, { name: '周年庆', month: 11, day: 30, year: 2026 }, { leadDays: 3 });
    await createFollowupTasks(String(org._id), '2026-12-01');
    const tasks = await tasksOf(org._id);
    expect(tasks.map((t) => [t.occasionName, t.date])).toEqual([['会员日', '2026-12-03']]);
  });

  it('moves open tasks with the customer when a clerk leaves; done tasks stay with who did them', async () => {
    const { org, store, clerk, manager } = await createOrgWithTeam();
    const next = await createStaff(org._id, { roles: ['clerk'], storeId: store._id });
    const a = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, birthday: { month: 12, day: 3 } });
    const b = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, birthday: { month: 12, day: 4 } });
    await createFollowupTasks(String(org._id), '2026-12-01');
    await FollowupTask.updateOne({ orgId: org._id, customerId: b._id }, { $set: { status: 'done', outcome: 'reached' } });
    await Staff.updateOne({ _id: clerk._id, orgId: org._id }, { $set: { status: 'left' } });
    await transferCustomers(ctxFor(manager), { customerIds: [], fromStaffId: String(clerk._id), toStaffId: String(next._id), note: '' });
    const tasks = await tasksOf(org._id);
    expect(tasks.find((t) => String(t.customerId) === String(a._id))!.ownerId).toEqual(next._id);
    expect(tasks.find((t) => String(t.customerId) === String(b._id))!.ownerId).toEqual(clerk._id);
  });

  it('prepares one digest per clerk and holds it while the clerk is in do-not-disturb', async () => {
    const org = await createOrg();
    const early = await createStaff(org._id, { roles: ['clerk'] });
    const late = await createStaff(org._id, { roles: ['clerk'], dndStart: '20:00', dndEnd: '10:00' });
    await createCustomer(org._id, { ownerId: early._id, birthday: { month: 12, day: 1 } });
    await createCustomer(org._id, { ownerId: late._id, birthday: { month: 12, day: 3 } });
    const pushed: string[] = [];
    const stop = domainEvents.onEvent('followups.digest_delivered', ({ staffId, orgId }) => {
      if (orgId === String(org._id)) pushed.push(staffId);
    });
    try {
      const runAt = new Date('2026-12-01T00:30:00Z'); // 08:30 in Shanghai
      const result = await runDailyFollowups(String(org._id), runAt);
      expect(result).toMatchObject({ date: '2026-12-01', created: 2, digests: 2 });
      expect((await runDailyFollowups(String(org._id), runAt)).digests).toBe(0);
      await deliverDueDigests(runAt);
      expect(pushed).toEqual([String(early._id)]);
      const early09 = await FollowupDigest.findOne({ orgId: org._id, staffId: early._id }).lean();
      expect(early09!.counts).toEqual({ today: 1, overdue: 0, upcoming: 0 });
      await deliverDueDigests(new Date('2026-12-01T01:59:00Z')); // 09:59: still inside the late clerk's window
      expect(pushed).toEqual([String(early._id)]);
      await deliverDueDigests(new Date('2026-12-01T02:00:00Z')); // 10:00
      expect(pushed).toEqual([String(early._id), String(late._id)]);
      await deliverDueDigests(new Date('2026-12-01T03:00:00Z'));
      expect(pushed).toHaveLength(2);
    } finally {
      stop();
    }
  });
});
