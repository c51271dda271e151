import { z } from 'zod';
import type { Agenda } from 'agenda';
import type { Logger } from 'pino';
import { defineJob } from './agenda.js';
import { continueDelivery, stalledDeliveries } from '../server/services/posts/publish.js';
import { domainEvents } from '../server/services/events.js';

const objectId = z.string().regex(/^[0-9a-f]{24}$/);

/**
 * The rest of a large post's delivery, after the publish answered. Idempotent (see continueDelivery): a run again
 * after a crash anywhere continues where the deliveries stand and counts no customer twice.
 */
export const deliverPostJob = defineJob({
  name: 'posts.deliver',
  data: z.object({ orgId: objectId, postId: objectId }).strict(),
  run: async ({ orgId, postId }) => continueDelivery(orgId, postId),
});

/** Deliveries whose job never started or died with its process (nothing moved for a while): continued here. */
export const deliverStalledPostsJob = defineJob({
  name: 'posts.deliver-stalled',
  data: z.object({}).strict(),
  every: '1 minute',
  run: async () => {
    for (const { orgId, postId } of await stalledDeliveries()) await continueDelivery(orgId, postId);
  },
});

/** Each post stored for delivery gets its job at once; one per post (unique on its id), so a second enqueue adds nothing. */
export function enqueuePostDeliveries(agenda: Agenda, log: Logger): () => void {
  return domainEvents.onEvent('posts.delivering', ({ orgId, postId }) =>
    agenda
      .create(deliverPostJob.name, { orgId, postId })
      .unique({ 'data.postId': postId }, { insertOnly: true })
      .schedule(new Date())
      .save()
      .catch((err: unknown) => log.error({ err, orgId, postId }, 'enqueueing a post delivery failed (the stalled-delivery sweep takes it up)')),
  );
}
