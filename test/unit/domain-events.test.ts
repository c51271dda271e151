import { describe, expect, it } from '@jest/globals';
import { domainEvents } from '../../server/services/events.js';

describe('domain events', () => {
  it('a listener that throws or rejects never fails the write that emitted, nor stops the other listeners', async () => {
    const seen: string[] = [];
    const stops = [
      domainEvents.onEvent('staff.access_revoked', () => {
        throw new Error('push failed');
      }),
      domainEvents.onEvent('staff.access_revoked', async () => {
        throw new Error('async push failed');
      }),
      domainEvents.onEvent('staff.access_revoked', ({ staffId }) => {
        seen.push(staffId);
      }),
    ];
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      expect(() => domainEvents.emitEvent('staff.access_revoked', { orgId: 'o', staffId: 's1' })).not.toThrow();
      await new Promise((resolve) => setImmediate(resolve));
      expect(seen).toEqual(['s1']);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      for (const stop of stops) stop();
    }
    domainEvents.emitEvent('staff.access_revoked', { orgId: 'o', staffId: 's2' });
    expect(seen).toEqual(['s1']);
  });

  it('emitEventAndSettle resolves once every listener’s work is done, and a failing listener does not reject it', async () => {
    const done: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const stops = [
      domainEvents.onEvent('customers.changed', async ({ customerIds }) => {
        await gate;
        done.push(...customerIds);
      }),
      domainEvents.onEvent('customers.changed', async () => {
        throw new Error('reaction failed');
      }),
    ];
    try {
      const settled = domainEvents.emitEventAndSettle('customers.changed', { orgId: 'o', customerIds: ['c1'] });
      let finished = false;
      void settled.then(() => (finished = true));
      await new Promise((resolve) => setImmediate(resolve));
      expect(finished).toBe(false);
      release();
      await expect(settled).resolves.toBeUndefined();
      expect(done).toEqual(['c1']);
    } finally {
      for (const stop of stops) stop();
    }
  });

  it('emitEventAndRequire answers the reactions’ results, and fails once all have finished when one of them fails', async () => {
    const erased = { orgId: 'o', customerId: 'c1' };
    await expect(domainEvents.emitEventAndRequire('customers.erased', erased)).rejects.toThrow(/no reaction/);

    const transferred = {
      orgId: 'o',
      customerIds: ['c1'],
      fromStaffId: 's1',
      wholeBook: true,
      toStaffId: 's2',
      toStoreId: null,
      byStaffId: 'a',
      by: { orgId: 'o', actor: { id: 'a', orgId: 'o', roles: [], storeId: null } },
    };
    const stopMoving = domainEvents.onRequiredEvent('customers.transferred', async () => ({ groupsMoved: 2 }));
    const stopFollowing = domainEvents.onRequiredEvent('customers.transferred', async () => ({}));
    try {
      await expect(domainEvents.emitEventAndRequire('customers.transferred', transferred)).resolves.toEqual([{ groupsMoved: 2 }, {}]);
    } finally {
      stopMoving();
      stopFollowing();
    }

    const finished: string[] = [];
    const stops = [
      domainEvents.onRequiredEvent('customers.erased', async () => {
        throw new Error('conversations not erased');
      }),
      domainEvents.onRequiredEvent('customers.erased', async () => {
        await new Promise((resolve) => setImmediate(resolve));
        finished.push('follow-ups');
      }),
    ];
    try {
      await expect(domainEvents.emitEventAndRequire('customers.erased', erased)).rejects.toThrow('conversations not erased');
      expect(finished).toEqual(['follow-ups']);
    } finally {
      for (const stop of stops) stop();
    }
    await expect(domainEvents.emitEventAndRequire('customers.erased', erased)).rejects.toThrow(/no reaction/);
  });
});
