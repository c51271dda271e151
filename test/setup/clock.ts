import { afterAll, afterEach, beforeAll, beforeEach } from '@jest/globals';
import { setClock } from '../../server/clock.js';

export type FrozenClock = {
  /** Moves the frozen clock to another instant (a Date or an ISO string) until the next test. */
  set(at: Date | string): void;
  /** Moves the frozen clock on by some milliseconds (it must be frozen already). */
  advance(ms: number): void;
};

/**
 * Freezes the app's clock (server/clock.ts, not Jest's fake timers: drivers and sockets keep real time) for this
 * test file. With `at`, every test starts at that instant; `{ per: 'file' }` sets it once before the file's own
 * beforeAll hooks instead (a server started in this process sees it too). The real clock comes back after each
 * test (after the file with `per: 'file'`), so a test that moves the clock never leaks into the next file.
 */
export function useFrozenClock(at?: Date | string, opts: { per?: 'test' | 'file' } = {}): FrozenClock {
  const per = opts.per ?? 'test';
  const start = at === undefined ? undefined : new Date(at);
  let current: Date | undefined;
  const freeze = (when: Date | undefined) => {
    current = when && new Date(when.getTime());
    setClock(current ?? null);
  };
  if (start) (per === 'file' ? beforeAll : beforeEach)(() => freeze(start));
  if (per === 'test') afterEach(() => freeze(undefined));
  afterAll(() => freeze(undefined));
  return {
    set: (when) => freeze(new Date(when)),
    advance: (ms) => {
      if (!current) throw new Error('the clock is not frozen: set it first');
      freeze(new Date(current.getTime() + ms));
    },
  };
}
