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
import { CannedReply } from '../../server/models/chat-channel.js';
import { AgentPresence } from '../../server/models/chat-session.js';
import { effectiveRules } from '../../server/services/followups/rules.js';
import { fillMessage } from '../../server/presenters/followup.js';

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

    // The demo agent chose to be online: signing in as `agent` takes /c/demo-shop's next customer (README's chat demo).
    const demoAgent = staff.find((s) => s.login === 'agent')!;
    expect((await AgentPresence.findOne({ orgId, staffId: demoAgent._id }).lean())?.status).toBe('online');

    // The demo group at its fixed invite address, with members, a group post, a moment and tomorrow's campaign.
    const group = await CustomerGroup.findOne({ orgId, inviteKey: DEMO_GROUP_INVITE_KEY }).lean();
    expect(group?.memberCount).toBe(12);
    expect(await GroupMember.countDocuments({ orgId, groupId: group!._id })).toBe(12);
    expect(await SocialPost.countDocuments({ orgId, kind: 'group', groupId: group!._id, 'stats.reached': 12 })).toBe(1);
    expect(await SocialPost.countDocuments({ orgId, kind: 'moment', 'stats.audience': { $gt: 0 } })).toBe(1);
    expect(await Campaign.countDocuments({ orgId, status: 'scheduled', publishAt: { $gt: new Date() } })).toBe(1);

    // A fruit chain's words: no engraving offered anywhere, canned replies and follow-up suggestions about fruit,
    // and the Chinese placeholders of the suggestions all filled in.
    const canned = await CannedReply.find({ orgId }).lean();
    const rules = (await effectiveRules(orgId)).filter((rule) => rule.message);
    const posts = await SocialPost.find({ orgId }).lean();
    const campaigns = await Campaign.find({ orgId }).lean();
    const texts = [
      ...canned.map((c) => c.text),
      ...rules.map((r) => r.message),
      ...posts.map((p) => p.text),
      ...campaigns.map((c) => c.text),
      ...(await Customer.find({ orgId }).lean()).map((c) => c.notes),
    ];
    expect(texts.filter((text) => /刻字|engrav/i.test(text ?? ''))).toEqual([]);
    expect(canned.filter((c) => /果/.test(c.text)).length).toBeGreaterThanOrEqual(3);
    expect(rules.map((r) => r.occasion).sort()).toEqual(['birthday', 'mid-autumn', 'relative-birthday', 'spring-festival']);
    const values = { customer: '王芳', clerk: '李娜', store: '静安寺店', occasion: '中秋节', date: '9月25日', relation: '母亲', relative: '李华' };
    for (const rule of rules) {
      expect(rule.message).toMatch(/果/);
      expect(fillMessage(rule.message, values)).not.toMatch(/[{｛}｝]/);
    }

    for (const { login, role } of demoLogins) {
      const member = await authenticateWithPassword({ login, password: DEMO_PASSWORD, ip: '10.0.0.1' });
      expect(member.roles).toContain(role);
    }
  });
});
