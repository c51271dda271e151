import { z } from 'zod';
import { defineJob } from './agenda.js';
import { runDailyFollowups } from '../server/services/followups/daily-run.js';
import { deliverDueDigests } from '../server/services/followups/digests.js';
import { clock } from '../server/clock.js';
import { logger } from '../server/logger.js';

/** One per organisation, repeating daily at the organisation's local time (see jobs/schedules.ts). */
export const followupsDailyJob = defineJob({
  name: 'followups.daily',
  data: z.object({ orgId: z.string().regex(/^[0-9a-f]{24}$/) }).strict(),
  run: async ({ orgId }) => {
    const result = await runDailyFollowups(orgId, clock.now());
    logger.info({ job: 'followups.daily', ...result }, 'follow-up tasks created');
  },
});

export const deliverDigestsJob = defineJob({
  name: 'followups.deliver-digests',
  data: z.object({}).strict(),
  every: '1 minute',
  run: async () => {
    const delivered = await deliverDueDigests(clock.now());
    if (delivered) logger.info({ delivered }, 'follow-up digests delivered');
  },
});
