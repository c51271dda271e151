import type { Query, Schema } from 'mongoose';

const READS: ('find' | 'findOne' | 'findOneAndUpdate' | 'findOneAndReplace' | 'findOneAndDelete')[] = ['find', 'findOne', 'findOneAndUpdate', 'findOneAndReplace', 'findOneAndDelete'];

type Timestamps = { createdAt?: string | null; updatedAt?: string | null };

/** An inclusive projection asked for some paths only: defaults for the others would answer what was not asked. */
function selectsSomePaths(projection: unknown): boolean {
  if (!projection || typeof projection !== 'object') return false;
  return Object.values(projection).some((value) => value === 1 || value === true);
}

/**
 * Lean reads meet the same document a hydrated read would: a document stored before a path existed (or by a writer
 * that skipped defaults) gets the path's default, and missing timestamps come from the id's time. Readers and
 * presenters can then rely on the schema instead of guarding every field; the stored document is not changed.
 */
export function leanDefaultsPlugin(schema: Schema): void {
  schema.post(READS, function (this: Query<unknown, unknown>, result: unknown) {
    if (!result || !this.mongooseOptions().lean || selectsSomePaths(this.projection())) return;
    const { createdAt, updatedAt } = ((this.model.schema as unknown as { $timestamps?: Timestamps }).$timestamps ?? {}) as Timestamps;
    for (const doc of (Array.isArray(result) ? result : [result]) as Record<string, unknown>[]) {
      if (!doc || typeof doc !== 'object') continue;
      this.model.applyDefaults(doc);
      const bornAt = () => (doc._id as { getTimestamp?: () => Date } | undefined)?.getTimestamp?.();
      if (createdAt && doc[createdAt] === undefined) doc[createdAt] = bornAt();
      if (updatedAt && doc[updatedAt] === undefined) doc[updatedAt] = (createdAt ? doc[createdAt] : undefined) ?? bornAt();
    }
  });
}
