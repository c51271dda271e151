import { afterEach, describe, expect, it } from '@jest/globals';
import { hashPassword, verifyPassword } from '../../server/services/auth/passwords.js';

/** Memory (KiB), passes and lanes, as the hash records them. */
const costOf = (hash: string) => {
  const [, m, p, t] = /\$m=(\d+),p=(\d+),t=(\d+)\$/.exec(hash)!;
  return [m, t, p].map(Number);
};

describe('password hashing cost', () => {
  const runEnv = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = runEnv;
  });

  it('stores passwords at argon2’s standard cost outside a test run, and either cost verifies', async () => {
    process.env.NODE_ENV = 'production';
    const standard = await hashPassword('correct horse battery');
    expect(standard).toMatch(/^\$argon2id\$/);
    expect(costOf(standard)).toEqual([65_536, 3, 4]);
    process.env.NODE_ENV = 'test';
    const light = await hashPassword('correct horse battery');
    expect(costOf(light)).toEqual([1_024, 1, 1]);
    for (const hash of [standard, light]) {
      expect(await verifyPassword(hash, 'correct horse battery')).toBe(true);
      expect(await verifyPassword(hash, 'wrong horse battery')).toBe(false);
    }
  });
});
