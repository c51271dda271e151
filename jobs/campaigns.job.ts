import { z } from 'zod';
import { defineJob } from './agenda.js';
import { fireDueCampaigns } from '../server/services/campaigns/campaigns.js';
import { logger } from '../server/logger.js';

/**
 * Fires campaigns whose publish time has come. One recurring job rather than one job per campaign: an edited or
 * cancelled campaign needs no rescheduling, and the tasks' unique keys make a second process's run add nothing.
 */
export const fireCampaignsJob = defineJob({
  name: 'campaigns.fire-due',
  data: z.object({}).strict(),
  every: '1 minute',
  run: async () => {
    const result = await fireDueCampaigns();
    if (result.campaigns) logger.info({ job: 'campaigns.fire-due', ...result }, 'campaigns fired');
  },
});
