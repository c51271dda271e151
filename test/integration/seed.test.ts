import { describe, expect, it } from '@jest/globals';
import { useTestDatabase } from '../setup/db.js';
import { seedDemo, isDatabaseEmpty, demoLogins, DEMO_PASSWORD, DEMO_GROUP_INVITE_KEY } from '../../server/services/seed/demo.js';
import { CustomerGroup, GroupMember } from '../../server/models/customer-group.js';
import { SocialPost } from '../../server/models/social-post.js';
import { Campaign } from '../../server/models/campaign.js';
import { authenticateWithPassword } from '../../server/services/auth/authenticate.js';
import { Store } from '../../server/models/store.js';
import { Staff } from '../../server/models/staff.js';
import { Customer } from '../../server/models/customer.js';
import { Tag } from '../../server/models/tag.js';
import { roles } from '../../server/models/staff.js';

useTestDatabase();

describe('demo seed', () => {
  it('fills an empty database with a fruit-shop chain: 3 stores, every role, about 200 tagged customers with birthdays', async () => {
    expect(await isDatabaseEmpty()).toBe(true);
    const { orgId, customers } = await seedDemo();
    expect(await isDatabaseEmpty()).toBe(false);
    expect(customers).toBe(200);
    expect(await Store.countDocuments({ orgId })).toBe(3);
    const staff = await Staff.find({ orgId }).lean();
    for (const role of roles) expect(staff.some((s) => s.roles.includes(role))).toBe(true);
    expect(await Customer.countDocuments({ orgId })).toBe(200);
    expect(await Customer.countDocuments({ orgId, 'tagIds.0': { $exists: true } })).toBeGreaterThan(150);
    expect(await Customer.countDocuments({ orgId, birthday: { $ne: null } })).toBeGreaterThan(150);
    expect(await Customer.countDocuments({ orgId, 'birthday.md': 229 })).toBeGreaterThan(0);
    expect(await Tag.countDocuments({ orgId })).toBeGreaterThan(10);
    // Customers of a store are owned by that store's clerks.
    const mismatched = (await Customer.find({ orgId }).lean()).filter((c) => {
      const owner = staff.find((s) => String(s._id) === String(c.ownerId));
      return !owner || String(owner.storeId) !== String(c.storeId);
    });
    expect(mismatched).toHaveLength(0);

    // The demo group at its fixed invite address, with members, a group post, a moment and tomorrow's campaign.
    const group = await CustomerGroup.findOne({ orgId, inviteKey: DEMO_GROUP_INVITE_KEY }).lean();
    expect(group?.memberCount).toBe(12);
    expect(await GroupMember.countDocuments({ orgId, groupId: group!._id })).toBe(12);
    expect(await SocialPost.countDocuments({ orgId, kind: 'group', groupId: group!._id, 'stats.reached': 12 })).toBe(1);
    expect(await SocialPost.countDocuments({ orgId, kind: 'moment', 'stats.audience': { $gt: 0 } })).toBe(1);
    expect(await Campaign.countDocuments({ orgId, status: 'scheduled', publishAt: { $gt: new Date() } })).toBe(1);

    for (const { login, role } of demoLogins) {
      const member = await authenticateWithPassword({ login, password: DEMO_PASSWORD, ip: '10.0.0.1' });
      expect(member.roles).toContain(role);
    }
  });
});
