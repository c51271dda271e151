import { z } from 'zod';
import { defineJob } from './agenda.js';
import { purgeExpired } from '../server/services/maintenance/purge-expired.js';
import { logger } from '../server/logger.js';

export const purgeExpiredJob = defineJob({
  name: 'maintenance.purge-expired',
  data: z.object({}).strict(),
  every: '1 hour',
  run: async () => {
    const removed = await purgeExpired();
    logger.info({ removed }, 'expired sessions and login counters purged');
  },
});
