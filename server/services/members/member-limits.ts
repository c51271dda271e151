import { consumePerAddress, DatabaseLimiter, limitersOnConnection } from '../rate-limits.js';
import { socialLimits } from '../../domain/settings.js';
import type { MemberContext } from './members.js';

/**
 * What a customer does on their page (likes, comments, leaving groups) lands in clerks' timelines and on posts:
 * counted per customer and per address in MongoDB, so a script cannot flood them.
 */
const getLimiters = limitersOnConnection('customer page limits', (db) => ({
  perCustomer: new DatabaseLimiter({
    storeClient: db,
    tableName: 'member_public_limits',
    keyPrefix: 'customer',
    points: socialLimits.memberActionsPerHour,
    duration: 3600,
  }),
  perAddress: new DatabaseLimiter({
    storeClient: db,
    tableName: 'member_public_limits',
    keyPrefix: 'ip',
    points: socialLimits.memberActionsPerHourPerIp,
    duration: 3600,
  }),
}));

export async function countMemberAction(member: MemberContext, ip: string): Promise<void> {
  await consumePerAddress(getLimiters().perAddress, ip, 'members.errors.tooMany');
  await consumePerAddress(getLimiters().perCustomer, `${member.orgId}:${member.customerId}`, 'members.errors.tooMany');
}
