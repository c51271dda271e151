import { describe, expect, it, jest, afterEach } from '@jest/globals';
import { shortMemo } from '../../server/services/short-memo.js';

afterEach(() => {
  jest.useRealTimers();
});

describe('shortMemo', () => {
  it('reads once for callers of the same moment and again after its time, per key', async () => {
    jest.useFakeTimers({ now: new Date('2027-01-01T00:00:00Z'), doNotFake: ['setImmediate', 'nextTick'] });
    const memo = shortMemo<number>(1_000);
    let reads = 0;
    const read = async () => ++reads;
    expect(await Promise.all([memo.get('a', read), memo.get('a', read)])).toEqual([1, 1]);
    expect(await memo.get('b', read)).toBe(2);
    jest.setSystemTime(new Date('2027-01-01T00:00:00.999Z'));
    expect(await memo.get('a', read)).toBe(1);
    jest.setSystemTime(new Date('2027-01-01T00:00:01.000Z'));
    expect(await memo.get('a', read)).toBe(3);
    memo.forget('a');
    expect(await memo.get('a', read)).toBe(4);
  });

  it('keeps no failed read', async () => {
    const memo = shortMemo<string>(60_000);
    await expect(memo.get('k', async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await memo.get('k', async () => 'up')).toBe('up');
  });
});
