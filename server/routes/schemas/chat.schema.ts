import { z } from 'zod';
import { optionalText, requiredText } from './common.js';

export const startChatSchema = z.object({ name: requiredText(60), phone: optionalText(30) });
