import { Types, isValidObjectId, type Schema, type Query, type Aggregate } from 'mongoose';

/**
 * Tenancy fails closed: any query on a model with an `orgId` path must filter by `orgId`,
 * so a forgotten scope is an error in tests instead of a leak in production.
 * The few system-wide reads (finding a login, hashing a token) say so with `{ allOrgs: true }`.
 */
export class TenantScopeError extends Error {}

const QUERY_OPS = [
  'find',
  'findOne',
  'countDocuments',
  'distinct',
  'updateOne',
  'updateMany',
  'replaceOne',
  'deleteOne',
  'deleteMany',
  'findOneAndUpdate',
  'findOneAndDelete',
  'findOneAndReplace',
] as const;

/** One organisation, named exactly: an operator such as `{$ne: id}` would reach every other organisation. */
function hasOrgFilter(filter: Record<string, unknown>): boolean {
  const value = filter.orgId;
  return value instanceof Types.ObjectId || (typeof value === 'string' && isValidObjectId(value));
}

export function tenantScopePlugin(schema: Schema): void {
  if (!schema.path('orgId')) return;

  for (const op of QUERY_OPS) {
    schema.pre(op, function (this: Query<unknown, unknown>) {
      const options = this.getOptions() as { allOrgs?: boolean };
      if (options.allOrgs) return;
      if (!hasOrgFilter(this.getFilter() as Record<string, unknown>)) {
        throw new TenantScopeError(`${this.model.modelName}.${op}() without an orgId filter`);
      }
    });
  }

  schema.pre('aggregate', function (this: Aggregate<unknown>) {
    if ((this.options as { allOrgs?: boolean }).allOrgs) return;
    const first = this.pipeline()[0] as { $match?: Record<string, unknown> } | undefined;
    if (!first?.$match || !hasOrgFilter(first.$match)) {
      throw new TenantScopeError('aggregate() must start with a $match on orgId');
    }
  });
}
