import { z } from 'zod';
import { TAG_NAME_MAX } from '../../domain/settings.js';
import { requiredText } from '../../domain/input-fields.js';

export const tagNameField = requiredText(TAG_NAME_MAX);
export const tagGroupSchema = z.object({
  name: requiredText(TAG_NAME_MAX),
  color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, 'invalid_format')
    .default('#0d6efd'),
  tags: z.array(tagNameField).max(500, 'too_many').default([]),
});
export const tagNamesSchema = z.object({ tags: z.array(tagNameField).min(1, 'required').max(500, 'too_many') });
export const tagRenameSchema = z.object({ name: tagNameField });

export const tagGroupUpdateSchema = z.object({
  name: requiredText(TAG_NAME_MAX).optional(),
  color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, 'invalid_format')
    .optional(),
  move: z.enum(['up', 'down']).optional(),
});

/** An id in the address; the service answers 404 for one that is not a record in reach. */
export const idParams = z.object({ id: z.string() });

/** Tag names typed one per line or separated by commas (， or ,). */
const splitNames = (v: unknown) =>
  String(v ?? '')
    .split(/[\n,，]/)
    .map((s) => s.trim())
    .filter(Boolean);

/** The page's forms: names typed into one box, and a colour left empty meaning the default. */
export const tagGroupFormSchema = z.preprocess((raw) => {
  const body = (raw ?? {}) as Record<string, unknown>;
  return { name: body.name, color: body.color || undefined, tags: splitNames(body.tags) };
}, tagGroupSchema);
export const tagNamesFormSchema = z.preprocess((raw) => ({ tags: splitNames((raw as Record<string, unknown> | undefined)?.tags) }), tagNamesSchema);
