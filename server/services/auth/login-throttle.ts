import { RateLimiterRes } from 'rate-limiter-flexible';
import { DatabaseLimiter, limitersOnConnection } from '../rate-limits.js';
import { RateLimitedError } from '../../errors.js';
import { loginThrottle } from '../../domain/settings.js';

/**
 * Failed logins are counted in MongoDB per login and per IP, so the block holds across restarts and
 * across app processes. Only failures count; a success clears the login's counter.
 */
const getLimiters = limitersOnConnection('login throttling', (db) => {
  const common = { storeClient: db, tableName: 'login_failures', duration: loginThrottle.windowSeconds, blockDuration: loginThrottle.blockSeconds };
  return {
    byLogin: new DatabaseLimiter({ ...common, keyPrefix: 'login', points: loginThrottle.perLoginFailures }),
    byIp: new DatabaseLimiter({ ...common, keyPrefix: 'ip', points: loginThrottle.perIpFailures }),
  };
});

function blocked(res: RateLimiterRes | null, limit: number): number | null {
  if (!res) return null;
  if (res.consumedPoints >= limit) return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  return null;
}

/** Throws RateLimitedError while the login or the IP is blocked. */
export async function assertLoginAllowed(login: string, ip: string): Promise<void> {
  const { byLogin, byIp } = getLimiters();
  const [loginRes, ipRes] = await Promise.all([byLogin.get(login), byIp.get(ip)]);
  const wait = Math.max(blocked(loginRes, loginThrottle.perLoginFailures) ?? 0, blocked(ipRes, loginThrottle.perIpFailures) ?? 0);
  if (wait > 0) {
    throw new RateLimitedError('Too many failed logins; try again later.', wait, { code: 'login_throttled', messageKey: 'errors.login_throttled' });
  }
}

export async function recordLoginFailure(login: string, ip: string): Promise<void> {
  const { byLogin, byIp } = getLimiters();
  // consume() rejects with a RateLimiterRes once the limit is passed; the count is what matters here.
  await Promise.all([byLogin.consume(login).catch(swallowLimit), byIp.consume(ip).catch(swallowLimit)]);
}

export async function clearLoginFailures(login: string): Promise<void> {
  await getLimiters().byLogin.delete(login);
}

function swallowLimit(err: unknown): void {
  if (!(err instanceof RateLimiterRes)) throw err;
}
