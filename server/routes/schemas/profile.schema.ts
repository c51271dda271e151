import { z } from 'zod';
import { timeOfDay } from './common.js';

export const dndSchema = z.object({ dndStart: timeOfDay, dndEnd: timeOfDay });
