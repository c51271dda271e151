import type { Types } from 'mongoose';
import crypto from 'node:crypto';
import { Organization } from '../server/models/organization.js';
import { Store } from '../server/models/store.js';
import { Staff, type Role } from '../server/models/staff.js';
import { Customer } from '../server/models/customer.js';
import { hashPassword } from '../server/services/auth/passwords.js';
import { defaultOrgSettings, type OrgSettings } from '../server/services/settings/org-settings.js';
import { actorOf } from '../server/services/auth/actor.js';
import type { ServiceContext } from '../server/services/context.js';
import { birthdayOf, birthdayMonthDays } from '../server/services/customers/birthdays.js';
import { customerPhoneFields } from '../server/services/customers/phones.js';

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

export async function createStaff(orgId: Types.ObjectId, fields: { roles: Role[]; storeId?: Types.ObjectId | null; login?: string; realName?: string; status?: 'active' | 'left' }) {
  passwordHash ??= hashPassword(PASSWORD);
  return Staff.create({
    orgId,
    login: fields.login ?? `${fields.roles[0]}-${unique()}`,
    passwordHash: await passwordHash,
    realName: fields.realName ?? `员工${unique()}`,
    roles: fields.roles,
    storeId: fields.storeId ?? null,
    status: fields.status ?? 'active',
  });
}

export async function createCustomer(orgId: Types.ObjectId, fields: { ownerId?: Types.ObjectId | null; storeId?: Types.ObjectId | null; name?: string; birthday?: { month: number; day: number; year?: number } }) {
  const birthday = fields.birthday ? birthdayOf(fields.birthday) : null;
  return Customer.create({
    orgId,
    name: fields.name ?? `客户${unique()}`,
    ...customerPhoneFields(`138${String(crypto.randomInt(0, 99_999_999)).padStart(8, '0')}`),
    birthday,
    birthdayMds: birthdayMonthDays(birthday, []),
    ownerId: fields.ownerId ?? null,
    storeId: fields.storeId ?? null,
  });
}

/** An organisation with a store and one staff member per role. */
export async function createOrgWithTeam() {
  const org = await createOrg();
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
