import { z } from 'zod';
import { TAG_NAME_MAX } from '../../services/settings/org-settings.js';
import { requiredText } from '../../domain/input-fields.js';

export const tagNameField = requiredText(TAG_NAME_MAX);
export const tagGroupSchema = z.object({
  name: requiredText(TAG_NAME_MAX),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'invalid_format').default('#0d6efd'),
  tags: z.array(tagNameField).max(500, 'too_many').default([]),
});
export const tagNamesSchema = z.object({ tags: z.array(tagNameField).min(1, 'required').max(500, 'too_many') });
export const tagRenameSchema = z.object({ name: tagNameField });

export const tagGroupUpdateSchema = z.object({
  name: requiredText(TAG_NAME_MAX).optional(),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'invalid_format').optional(),
  move: z.enum(['up', 'down']).optional(),
});

/** An id in the address; the service answers 404 for one that is not a record in reach. */
export const idParams = z.object({ id: z.string() });
