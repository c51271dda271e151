import crypto from 'node:crypto';
import os from 'node:os';
import { RoutingLease } from '../../models/routing-lease.js';
import { isDuplicateKey, retryingTransientConflicts } from '../mongo-errors.js';
import { toObjectId } from '../ids.js';
import { logger } from '../../logger.js';
import { runtime, type RouterState } from '../../runtime.js';

/**
 * One orderly router per organisation instead of one racing pass per event. In this process, a wake-up while the
 * router runs only asks for one more pass (a burst of 200 new sessions is a handful of passes, not 200 passes
 * fighting over the same agents); across processes, a lease document lets one router at a time route the
 * organisation. Each caller's promise resolves when a pass that started after its wake-up has finished, so
 * "queue, then answer" still answers with the routed session.
 */
const OWNER = `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;
/** Renewed before every pass; frees the organisation this long after a holder died mid-pass. */
const LEASE_MS = 15_000;
/** How soon to try again while another process holds the lease (it gives it back after each run). */
const RETRY_MS = 50;

export type RoutingPass = (orgId: string) => Promise<{ assigned: number; more: boolean }>;

// The lease is about processes being alive, so it runs on the real clock, not the domain clock tests move.
async function takeLease(orgId: string): Promise<boolean> {
  const org = toObjectId(orgId);
  const now = new Date();
  try {
    await retryingTransientConflicts(() =>
      RoutingLease.updateOne(
        { _id: org, orgId: org, $or: [{ owner: OWNER }, { until: { $lte: now } }] },
        { $set: { owner: OWNER, until: new Date(now.getTime() + LEASE_MS) } },
        { upsert: true },
      ),
    );
    return true;
  } catch (err) {
    // Held by another process: the upsert found no free lease and collided with the held one.
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

async function giveBackLease(orgId: string): Promise<void> {
  const org = toObjectId(orgId);
  await RoutingLease.updateOne({ _id: org, orgId: org, owner: OWNER }, { $set: { until: new Date(0) } });
}

async function run(orgId: string, router: RouterState, pass: RoutingPass, routers: Map<string, RouterState>): Promise<void> {
  router.running = true;
  let done = 0;
  let assigned = 0;
  const answer = (upTo: number) => {
    done = Math.max(done, upTo);
    const finished = router.waiters.filter((w) => w.upTo <= done);
    router.waiters = router.waiters.filter((w) => w.upTo > done);
    for (const waiter of finished) waiter.resolve(assigned);
  };
  try {
    while (done < router.requested) {
      const upTo = router.requested;
      try {
        if (!(await takeLease(orgId))) {
          await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
          continue;
        }
        try {
          for (let more = true; more;) {
            const result = await pass(orgId);
            assigned += result.assigned;
            more = result.more && (await takeLease(orgId));
          }
        } finally {
          // The callers are answered before the lease goes back: their answer does not wait for that write.
          answer(upTo);
          await giveBackLease(orgId);
        }
      } catch (err) {
        // The next wake-up (or the periodic sweep) routes again; the callers are answered either way.
        logger.error({ err, orgId }, 'routing pass failed');
      }
      answer(upTo);
    }
  } finally {
    router.running = false;
    if (!router.waiters.length) routers.delete(orgId);
  }
}

/** Wakes the organisation's router; resolves with what was assigned once a pass begun after this call has run. */
export function wakeRouter(orgId: string, pass: RoutingPass): Promise<number> {
  const { routers } = runtime().chat;
  let router = routers.get(orgId);
  if (!router) {
    router = { running: false, requested: 0, waiters: [] };
    routers.set(orgId, router);
  }
  router.requested += 1;
  const upTo = router.requested;
  const answered = new Promise<number>((resolve) => router.waiters.push({ upTo, resolve }));
  if (!router.running) void run(orgId, router, pass, routers);
  return answered;
}
