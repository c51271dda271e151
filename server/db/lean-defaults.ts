import type { Model, Query, Schema } from 'mongoose';

const READS: ('find' | 'findOne' | 'findOneAndUpdate' | 'findOneAndReplace' | 'findOneAndDelete')[] = [
  'find',
  'findOne',
  'findOneAndUpdate',
  'findOneAndReplace',
  'findOneAndDelete',
];

type Timestamps = { createdAt?: string | null; updatedAt?: string | null };

/** An inclusive projection asked for some paths only: defaults for the others would answer what was not asked. */
function selectsSomePaths(projection: unknown): boolean {
  if (!projection || typeof projection !== 'object') return false;
  return Object.values(projection).some((value) => value === 1 || value === true);
}

/**
 * Fills in what a create would have given a document: the schema's defaults for missing paths, and missing
 * timestamps from the id's time (updatedAt from createdAt). Values that are there stay. Mutates and answers `doc`.
 */
export function fillDefaults(model: Model<unknown>, doc: Record<string, unknown>): Record<string, unknown> {
  model.applyDefaults(doc);
  const { createdAt, updatedAt } = ((model.schema as unknown as { $timestamps?: Timestamps }).$timestamps ?? {}) as Timestamps;
  const bornAt = () => (doc._id as { getTimestamp?: () => Date } | undefined)?.getTimestamp?.();
  if (createdAt && doc[createdAt] === undefined) doc[createdAt] = bornAt();
  if (updatedAt && doc[updatedAt] === undefined) doc[updatedAt] = (createdAt ? doc[createdAt] : undefined) ?? bornAt();
  return doc;
}

/**
 * Lean reads meet the same document a hydrated read would: a document stored before a path existed (or by a writer
 * that skipped defaults) reads with the path's default and its timestamps. Readers and presenters can then rely on
 * the schema instead of guarding every field; the stored document is not changed (the data migration does that).
 */
export function leanDefaultsPlugin(schema: Schema): void {
  schema.post(READS, function (this: Query<unknown, unknown>, result: unknown) {
    if (!result || !this.mongooseOptions().lean || selectsSomePaths(this.projection())) return;
    for (const doc of (Array.isArray(result) ? result : [result]) as Record<string, unknown>[]) {
      if (doc && typeof doc === 'object') fillDefaults(this.model as Model<unknown>, doc);
    }
  });
}
