import { z } from 'zod';
import { orgSettingsSchema } from '../../services/settings/org-settings.js';
import { requiredText } from './common.js';

export const updateSettingsSchema = z.object({
  name: requiredText(100),
  ...orgSettingsSchema.shape,
});
