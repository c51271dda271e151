import { z } from 'zod';

/** A job's id in the address; the service answers 404 for one that is not the organisation's. */
export const jobParams = z.object({ id: z.string() });
