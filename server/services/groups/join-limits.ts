import { consumePerAddress, DatabaseLimiter, limitersOnConnection } from '../rate-limits.js';
import { socialLimits } from '../../domain/settings.js';

/** The invite pages take no login: joins are counted per IP address in MongoDB (across processes). */
const getLimiters = limitersOnConnection('group join limits', (db) => ({
  joins: new DatabaseLimiter({ storeClient: db, tableName: 'group_public_limits', keyPrefix: 'join', points: socialLimits.joinsPerHourPerIp, duration: 3600 }),
}));

export const countJoin = (ip: string) => consumePerAddress(getLimiters().joins, ip, 'groups.errors.tooManyJoins');
