import { RateLimiterMongo } from 'rate-limiter-flexible';
import { consumePerAddress, limitersOnConnection } from '../rate-limits.js';
import { chatLimits } from '../settings/org-settings.js';

/**
 * The public chat pages take no login, so what anyone can do anonymously is counted per IP address in MongoDB
 * (across processes): starting conversations as new visitors, and uploading pictures.
 */
const getLimiters = limitersOnConnection('chat limits', (db) => ({
  starts: new RateLimiterMongo({ storeClient: db, tableName: 'chat_public_limits', keyPrefix: 'start', points: chatLimits.visitorStartsPerHourPerIp, duration: 3600 }),
  uploads: new RateLimiterMongo({ storeClient: db, tableName: 'chat_public_limits', keyPrefix: 'upload', points: chatLimits.uploadsPerHourPerIp, duration: 3600 }),
}));

export const countVisitorStart = (ip: string) => consumePerAddress(getLimiters().starts, ip, 'chat.errors.tooManyFromAddress');
export const countUpload = (ip: string) => consumePerAddress(getLimiters().uploads, ip, 'chat.errors.tooManyFromAddress');
