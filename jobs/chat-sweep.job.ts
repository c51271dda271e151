import { z } from 'zod';
import { defineJob } from './agenda.js';
import { organisationsWithLiveService, sweepChat } from '../server/services/chat/sweep.js';
import { logger } from '../server/logger.js';

/**
 * The live service's safety net: sessions of agents whose consoles are all gone go back to the queue, agents'
 * slots are made equal to the sessions they serve, and the queue is routed. Idempotent; holds no data.
 */
export const chatSweepJob = defineJob({
  name: 'chat.sweep',
  data: z.object({}).strict(),
  every: '15 seconds',
  run: async () => {
    for (const orgId of await organisationsWithLiveService()) {
      const result = await sweepChat(orgId);
      if (result.requeued || result.repairedSlots) logger.warn({ orgId, ...result }, 'chat sweep repaired the live service');
    }
  },
});
