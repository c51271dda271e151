import type { Types } from 'mongoose';
import crypto from 'node:crypto';
import { Organization } from '../server/models/organization.js';
import { Store } from '../server/models/store.js';
import { Staff, type Role } from '../server/models/staff.js';
import { Customer } from '../server/models/customer.js';
import { Tag, TagGroup } from '../server/models/tag.js';
import { CustomerGroup } from '../server/models/customer-group.js';
import { FollowupRule, type OrgEvent } from '../server/models/followup-rule.js';
import { hashPassword } from '../server/services/auth/passwords.js';
import { defaultOrgSettings, type OrgSettings } from '../server/domain/settings.js';
import { actorOf } from '../server/services/auth/actor.js';
import type { ServiceContext } from '../server/services/context.js';
import { birthdayOf, birthdayMonthDays } from '../server/services/customers/birthdays.js';
import { customerPhoneFields } from '../server/services/customers/phones.js';
import { CannedReply } from '../server/models/chat-channel.js';

export const PASSWORD = 'correct horse battery';
let passwordHash: Promise<string> | undefined;
const unique = () => crypto.randomBytes(4).toString('hex');

/** Each test builds its own organisation, so tests never share or wipe each other's data. */
export async function createOrg(settings: Partial<OrgSettings> = {}) {
  return Organization.create({ name: `Org ${unique()}`, settings: { ...defaultOrgSettings, ...settings } });
}

export async function createStore(orgId: Types.ObjectId, fields: { name?: string; city?: string } = {}) {
  return Store.create({ orgId, name: fields.name ?? `Store ${unique()}`, address: '南京西路 1 号', city: fields.city ?? '上海' });
}

export async function createStaff(
  orgId: Types.ObjectId,
  fields: {
    roles: Role[];
    storeId?: Types.ObjectId | null;
    login?: string;
    realName?: string;
    status?: 'active' | 'left';
    /** Do-not-disturb hours, e.g. '20:00' to '10:00' (the model's default when not given). */
    dndStart?: string;
    dndEnd?: string;
  },
) {
  passwordHash ??= hashPassword(PASSWORD);
  return Staff.create({
    orgId,
    login: fields.login ?? `${fields.roles[0]}-${unique()}`,
    passwordHash: await passwordHash,
    realName: fields.realName ?? `员工${unique()}`,
    roles: fields.roles,
    storeId: fields.storeId ?? null,
    status: fields.status ?? 'active',
    ...(fields.dndStart !== undefined && { dndStart: fields.dndStart }),
    ...(fields.dndEnd !== undefined && { dndEnd: fields.dndEnd }),
  });
}

export async function createCustomer(
  orgId: Types.ObjectId,
  fields: {
    ownerId?: Types.ObjectId | null;
    storeId?: Types.ObjectId | null;
    name?: string;
    /** A mobile number as typed (`13512347284` or `+86…`); a random valid one when not given. */
    phone?: string;
    birthday?: { month: number; day: number; year?: number };
    /** Relatives with their birthdays, e.g. `{ relation: '母亲', name: '李华', month: 12, day: 3 }`. */
    relatives?: { relation: string; name: string; month: number; day: number; year?: number }[];
    tagIds?: Types.ObjectId[];
  },
) {
  const birthday = fields.birthday ? birthdayOf(fields.birthday) : null;
  const relatives = (fields.relatives ?? []).map((r) => ({ relation: r.relation, name: r.name, birthday: birthdayOf(r) }));
  return Customer.create({
    orgId,
    name: fields.name ?? `客户${unique()}`,
    ...customerPhoneFields(fields.phone ?? `138${String(crypto.randomInt(0, 99_999_999)).padStart(8, '0')}`),
    birthday,
    relatives,
    birthdayMds: birthdayMonthDays(birthday, relatives),
    ownerId: fields.ownerId ?? null,
    storeId: fields.storeId ?? null,
    tagIds: fields.tagIds ?? [],
  });
}

/** A canned reply: the organisation's (no owner) unless an agent's own is asked for. */
export async function createCannedReply(orgId: Types.ObjectId, fields: { shortcut: string; text: string; ownerId?: Types.ObjectId | null }) {
  return CannedReply.create({ orgId, ownerId: fields.ownerId ?? null, shortcut: fields.shortcut, text: fields.text });
}

/** Many customers in one insert (a store-sized book of customers, fast): distinct random numbers, the same owner and store. */
export async function createCustomers(orgId: Types.ObjectId, count: number, fields: { ownerId?: Types.ObjectId | null; storeId?: Types.ObjectId | null } = {}) {
  const phones = new Set<string>();
  while (phones.size < count) phones.add(`138${String(crypto.randomInt(0, 99_999_999)).padStart(8, '0')}`);
  return Customer.insertMany(
    [...phones].map((phone, i) => ({
      orgId,
      name: `客户${i + 1}`,
      ...customerPhoneFields(phone),
      ownerId: fields.ownerId ?? null,
      storeId: fields.storeId ?? null,
    })),
  );
}

export async function createTagGroup(orgId: Types.ObjectId, { name = `分组${unique()}`, ...fields }: { name?: string; color?: string; order?: number } = {}) {
  return TagGroup.create({ orgId, name, ...fields });
}

/** An enterprise tag, in `groupId` when given; with `ownerId` it is that staff member's personal tag (no group). */
export async function createTag(
  orgId: Types.ObjectId,
  { name = `标签${unique()}`, ...fields }: { name?: string; groupId?: Types.ObjectId | null; ownerId?: Types.ObjectId | null } = {},
) {
  return Tag.create({ orgId, name, ...fields });
}

/** A clerk's customer group; its creator is its owner unless told otherwise. */
export async function createCustomerGroup(
  orgId: Types.ObjectId,
  fields: { ownerId: Types.ObjectId; storeId?: Types.ObjectId | null; name?: string; cap?: number | null; createdBy?: Types.ObjectId },
) {
  return CustomerGroup.create({
    orgId,
    name: fields.name ?? `客户群${unique()}`,
    storeId: fields.storeId ?? null,
    ownerId: fields.ownerId,
    createdBy: fields.createdBy ?? fields.ownerId,
    cap: fields.cap ?? null,
    inviteKey: crypto.randomBytes(9).toString('base64url'),
  });
}

/** An organisation event (member day, anniversary) with its follow-up rule, stored under `event:<id>` as the service keys it. */
export async function createOrgEventRule(orgId: Types.ObjectId, event: OrgEvent, fields: { enabled?: boolean; leadDays?: number } = {}) {
  return FollowupRule.create({
    orgId,
    occasion: `event:${crypto.randomBytes(12).toString('hex')}`,
    enabled: fields.enabled ?? true,
    leadDays: fields.leadDays ?? 3,
    event: { ...event, year: event.year ?? null },
  });
}

/** An organisation with a store and one staff member per role. */
export async function createOrgWithTeam(settings: Partial<OrgSettings> = {}) {
  const org = await createOrg(settings);
  const store = await createStore(org._id);
  const otherStore = await createStore(org._id);
  const [admin, manager, clerk, agent, marketer] = await Promise.all([
    createStaff(org._id, { roles: ['admin'] }),
    createStaff(org._id, { roles: ['manager'], storeId: store._id }),
    createStaff(org._id, { roles: ['clerk'], storeId: store._id }),
    createStaff(org._id, { roles: ['agent'], storeId: store._id }),
    createStaff(org._id, { roles: ['marketer'] }),
  ]);
  return { org, store, otherStore, admin: admin!, manager: manager!, clerk: clerk!, agent: agent!, marketer: marketer! };
}

export function ctxFor(staff: Parameters<typeof actorOf>[0]): ServiceContext {
  const actor = actorOf(staff);
  return { actor, orgId: actor.orgId, ip: '127.0.0.1' };
}
