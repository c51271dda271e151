import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { Organization } from '../../models/organization.js';
import { Store } from '../../models/store.js';
import { Staff, type Role, type StaffDoc } from '../../models/staff.js';
import { CustomerGroup } from '../../models/customer-group.js';
import { actorOf } from '../auth/actor.js';
import { addMember, createGroup } from '../groups/groups.js';
import { publishGroupPost } from '../groups/group-posts.js';
import { publishMoment } from '../moments/moments.js';
import { createCampaign } from '../campaigns/campaigns.js';
import { updateFollowupRule } from '../followups/rules.js';
import { DateTime } from 'luxon';
import { Tag, TagGroup } from '../../models/tag.js';
import { Customer, type Birthday } from '../../models/customer.js';
import { hashPassword } from '../auth/passwords.js';
import { defaultOrgSettings } from '../../domain/settings.js';
import { mongoose } from '../../db/connect.js';
import { birthdayOf, birthdayMonthDays } from '../customers/birthdays.js';
import { customerPhoneFields } from '../customers/phones.js';
import { ChatChannel, CannedReply } from '../../models/chat-channel.js';
import { setPresence } from '../chat/agent-chat.js';

export const DEMO_PASSWORD = 'storelink-demo';
export const DEMO_CHANNEL_KEY = 'demo-shop';
export const DEMO_GROUP_INVITE_KEY = 'demo-fruit-lovers';

export const demoLogins: { login: string; role: Role }[] = [
  { login: 'admin', role: 'admin' },
  { login: 'manager', role: 'manager' },
  { login: 'clerk', role: 'clerk' },
  { login: 'agent', role: 'agent' },
  { login: 'marketer', role: 'marketer' },
];

/** A small deterministic generator, so every seed gives the same demo data. */
export function seededRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  return {
    next,
    pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
  };
}

const surnames = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '林', '罗', '高'];
const givenNames = [
  '芳',
  '伟',
  '娜',
  '敏',
  '静',
  '丽',
  '强',
  '磊',
  '洋',
  '艳',
  '勇',
  '军',
  '杰',
  '娟',
  '涛',
  '明',
  '超',
  '秀英',
  '晓燕',
  '子涵',
  '梓萱',
  '浩然',
  '欣怡',
  '宇轩',
];
const fruitNotes = ['爱吃车厘子，到货请通知', '每周买一次果切', '公司下午茶常订果盘', '喜欢榴莲，要熟透的', '过节常买果篮送长辈', '孩子爱吃草莓和蓝莓'];
const mobilePrefixes = ['138', '139', '135', '136', '150', '151', '158', '186', '187', '188', '177', '199'];

export async function isDatabaseEmpty(): Promise<boolean> {
  return (await Organization.estimatedDocumentCount()) === 0;
}

export async function resetDatabase(): Promise<void> {
  await mongoose.connection.dropDatabase();
  await Promise.all(Object.values(mongoose.models).map((model) => model.createIndexes()));
}

/** The demo fruit-shop chain: 3 stores, staff in every role, about 200 customers with tags and birthdays. */
export async function seedDemo(): Promise<{ orgId: string; customers: number }> {
  const random = seededRandom(20261121);
  const org = await Organization.create({ name: '鲜果时光 Fresh Fruit Co.', settings: { ...defaultOrgSettings } });
  const orgId = org._id;
  const stores = await Store.insertMany([
    { orgId, name: '静安寺店', address: '上海市静安区南京西路 1788 号', city: '上海', location: { type: 'Point', coordinates: [121.4456, 31.2235] } },
    { orgId, name: '徐家汇店', address: '上海市徐汇区漕溪北路 88 号', city: '上海', location: { type: 'Point', coordinates: [121.4365, 31.1955] } },
    { orgId, name: '天河城店', address: '广州市天河区天河路 208 号', city: '广州', location: { type: 'Point', coordinates: [113.3245, 23.1375] } },
  ]);
  const [jingan, xujiahui, tianhe] = stores as [(typeof stores)[number], (typeof stores)[number], (typeof stores)[number]];
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const staffRows: { login: string; realName: string; title: string; roles: Role[]; storeId: mongoose.Types.ObjectId | null; phone: string }[] = [
    { login: 'admin', realName: '周敏', title: '系统管理员', roles: ['admin'], storeId: null, phone: '+8613800000001' },
    { login: 'manager', realName: '陈静', title: '店长', roles: ['manager'], storeId: jingan._id, phone: '+8613800000002' },
    { login: 'clerk', realName: '李娜', title: '导购', roles: ['clerk'], storeId: jingan._id, phone: '+8613800000003' },
    { login: 'agent', realName: '王强', title: '客服专员', roles: ['agent'], storeId: jingan._id, phone: '+8613800000004' },
    { login: 'marketer', realName: '赵丽', title: '运营经理', roles: ['marketer'], storeId: null, phone: '+8613800000005' },
    { login: 'clerk2', realName: '刘洋', title: '导购', roles: ['clerk'], storeId: xujiahui._id, phone: '+8613800000006' },
    { login: 'manager2', realName: '黄磊', title: '店长', roles: ['manager', 'clerk'], storeId: xujiahui._id, phone: '+8613800000007' },
    { login: 'clerk3', realName: '吴艳', title: '导购', roles: ['clerk'], storeId: tianhe._id, phone: '+8613800000008' },
    { login: 'manager3', realName: '郭涛', title: '店长', roles: ['manager'], storeId: tianhe._id, phone: '+8613800000009' },
  ];
  const staff = await Staff.insertMany(
    staffRows.map((row) => ({ ...row, orgId, passwordHash, dndStart: defaultOrgSettings.dndStart, dndEnd: defaultOrgSettings.dndEnd })),
  );
  const clerksByStore = new Map<string, mongoose.Types.ObjectId[]>();
  for (const member of staff) {
    if (member.roles.includes('clerk') && member.storeId) {
      const key = String(member.storeId);
      clerksByStore.set(key, [...(clerksByStore.get(key) ?? []), member._id]);
    }
  }

  const tagGroups = [
    { name: '年龄段', color: '#0d6efd', tags: ['20-30岁', '30-40岁', '40岁以上'] },
    { name: '职业', color: '#198754', tags: ['白领', '学生', '自由职业', '宝妈'] },
    { name: '偏好', color: '#fd7e14', tags: ['榴莲', '车厘子', '芒果', '果切', '礼盒'] },
    { name: '价值', color: '#6f42c1', tags: ['高消费', '常客', '新客'] },
  ];
  const tagIdsByGroup: mongoose.Types.ObjectId[][] = [];
  for (const [order, group] of tagGroups.entries()) {
    const created = await TagGroup.create({ orgId, name: group.name, color: group.color, order });
    const tags = await Tag.insertMany(group.tags.map((name, i) => ({ orgId, groupId: created._id, name, order: i })));
    tagIdsByGroup.push(tags.map((tag) => tag._id));
  }

  await Organization.updateOne({ _id: orgId }, { $set: { 'counters.enterpriseTags': tagGroups.reduce((n, g) => n + g.tags.length, 0) } });

  const relations = ['母亲', '父亲', '配偶', '孩子'];
  const usedPhones = new Set<string>();
  const customers = [];
  for (let i = 0; i < 200; i++) {
    let phone = '';
    while (!phone || usedPhones.has(phone)) {
      const raw = random.pick(mobilePrefixes) + String(random.int(0, 99_999_999)).padStart(8, '0');
      phone = parsePhoneNumberFromString(raw, 'CN')?.number ?? '';
    }
    usedPhones.add(phone);
    const store = random.pick(stores);
    const owners = clerksByStore.get(String(store._id)) ?? [];
    // Every 50th customer is born on 29 February, the case the follow-ups must handle.
    const birthday: Birthday | null =
      i % 50 === 7
        ? birthdayOf({ year: 1992, month: 2, day: 29 })
        : random.next() < 0.85
          ? birthdayOf({ year: random.next() < 0.6 ? random.int(1960, 2004) : null, month: random.int(1, 12), day: random.int(1, 28) })
          : null;
    const relatives =
      random.next() < 0.3
        ? [
            {
              relation: random.pick(relations),
              name: random.pick(surnames) + random.pick(givenNames),
              birthday: birthdayOf({ year: null, month: random.int(1, 12), day: random.int(1, 28) }),
            },
          ]
        : [];
    const tagIds = tagIdsByGroup.flatMap((ids) => (random.next() < 0.6 ? [random.pick(ids)] : []));
    customers.push({
      orgId,
      name: random.pick(surnames) + random.pick(givenNames),
      ...customerPhoneFields(phone),
      gender: random.pick(['female', 'female', 'male', 'unknown'] as const),
      birthday,
      relatives,
      birthdayMds: birthdayMonthDays(birthday, relatives),
      tagIds,
      storeId: store._id,
      ownerId: owners.length ? random.pick(owners) : null,
      source: random.pick(['in_store', 'in_store', 'event', 'referral', 'online'] as const),
      // Taken by position, not drawn, so the rest of the demo data stays what it was.
      notes: i % 4 === 0 ? (fruitNotes[(i / 4) % fruitNotes.length] ?? '') : '',
    });
  }
  await Customer.insertMany(customers);
  // A chat channel at a fixed address, so the demo's customer page is easy to find: /c/demo-shop.
  await ChatChannel.create({
    orgId,
    key: DEMO_CHANNEL_KEY,
    name: '官方咨询',
    storeId: stores[0]!._id,
    routing: 'least_busy',
    keywordAnswers: [{ keyword: '营业时间', answer: '门店营业时间为每天 10:00-22:00。' }],
  });
  await CannedReply.insertMany([
    { orgId, ownerId: null, shortcut: 'hi', text: '您好，我是您的专属鲜果顾问，很高兴为您服务！' },
    { orgId, ownerId: null, shortcut: 'giftbox', text: '节日鲜果礼盒可提前 3 天预订，支持同城配送，可附手写贺卡。' },
    { orgId, ownerId: null, shortcut: 'fresh', text: '门店水果每天早上到货，不新鲜包退换，请放心选购。' },
    { orgId, ownerId: null, shortcut: 'delivery', text: '门店 3 公里内满 59 元免费配送，下单后约 1 小时送达。' },
  ]);
  // The demo agent chose to be online (a choice kept across sign-ins): signing in as `agent` opens a console that
  // takes the next customer of /c/demo-shop, as the README's chat demo says.
  const demoAgent = staff.find((member) => member.login === 'agent')!;
  await setPresence({ orgId: String(orgId), actor: actorOf(demoAgent) }, 'online');
  await seedSocial(orgId, staff);
  await seedFollowupWording(orgId, staff);
  return { orgId: String(orgId), customers: customers.length };
}

/**
 * The follow-up suggestions in a fruit shop's words (fruit baskets, seasonal boxes), written with the Chinese
 * placeholders staff insert from the chips, through the service as a marketer would.
 */
async function seedFollowupWording(orgId: mongoose.Types.ObjectId, staff: StaffDoc[]): Promise<void> {
  const marketer = staff.find((member) => member.login === 'marketer')!;
  const ctx = { orgId: String(orgId), actor: actorOf(marketer) };
  const rule = (leadDays: number, message: string) => ({ enabled: true, leadDays, tagIds: [], storeIds: [], message });
  await updateFollowupRule(
    ctx,
    'birthday',
    rule(7, '{客户称呼}您好，{日期}是您的生日，{导购姓名}提前祝您生日快乐！{门店}为您留了一份当季鲜果果切，生日当周到店即可领取。'),
  );
  await updateFollowupRule(
    ctx,
    'relative-birthday',
    rule(7, '{客户称呼}您好，{日期}是您{亲属关系}{亲属姓名}的生日，要不要为 TA 订一个鲜果生日果篮？{导购姓名}可以帮您提前预留，{门店}3 公里内免费送到家。'),
  );
  await updateFollowupRule(ctx, 'mid-autumn', rule(10, '{客户称呼}您好，{场合}（{日期}）快到了，{门店}的中秋鲜果礼盒已可预订，{导购姓名}祝您和家人团圆美满！'));
  await updateFollowupRule(
    ctx,
    'spring-festival',
    rule(10, '{客户称呼}您好，{场合}（{日期}）快到了，年货果篮和进口水果礼盒已在{门店}上架，{导购姓名}提前给您拜个早年！'),
  );
}

/**
 * A customer group with a fixed invite address (/g/demo-fruit-lovers), a moments post by the demo clerk, and a
 * campaign scheduled for tomorrow, made through the services so their limits and statistics are real.
 */
async function seedSocial(orgId: mongoose.Types.ObjectId, staff: StaffDoc[]): Promise<void> {
  const byLogin = (login: string) => staff.find((member) => member.login === login)!;
  const clerk = byLogin('clerk');
  const clerkCtx = { orgId: String(orgId), actor: actorOf(clerk) };
  const group = await createGroup(clerkCtx, { name: '静安寺店果友群', notice: '每周五晚 8 点群内发布当季鲜果优惠，欢迎分享吃法。' });
  await CustomerGroup.updateOne({ orgId, _id: group._id }, { $set: { inviteKey: DEMO_GROUP_INVITE_KEY } });
  const members = await Customer.find({ orgId, ownerId: clerk._id }, { _id: 1 }).sort({ _id: 1 }).limit(12).lean();
  for (const member of members) await addMember(clerkCtx, String(group._id), String(member._id));
  await publishMoment(clerkCtx, { text: '今天店里到了一批烟台红富士，脆甜多汁，老顾客到店可免费品尝 🍎', link: null, tagIds: [] });
  await publishGroupPost(clerkCtx, String(group._id), { text: '本周五群内专享：车厘子第二件半价，到店出示群消息即可。' });
  const tomorrowTen = DateTime.now().setZone(defaultOrgSettings.timezone).plus({ days: 1 }).set({ hour: 10, minute: 0, second: 0, millisecond: 0 });
  await createCampaign(
    { orgId: String(orgId), actor: actorOf(byLogin('marketer')) },
    {
      kind: 'moment',
      title: '冬季草莓上市',
      text: '丹东草莓今日上市，会员到店购买满 99 元赠送鲜榨果汁一杯。',
      link: null,
      storeIds: [],
      tagIds: [],
      publishAt: tomorrowTen.toJSDate(),
    },
  );
}
