import { mongoose } from '../db/connect.js';
import { NotFoundError } from '../errors.js';

/** An id from a URL or body that is not an ObjectId names nothing: it answers 404 like a missing record. */
export function toObjectId(id: string | mongoose.Types.ObjectId, what = 'record'): mongoose.Types.ObjectId {
  if (id instanceof mongoose.Types.ObjectId) return id;
  if (typeof id !== 'string' || !mongoose.isObjectIdOrHexString(id)) throw new NotFoundError(`No such ${what}`);
  return new mongoose.Types.ObjectId(id);
}

export function orgFilter(orgId: string): { orgId: mongoose.Types.ObjectId } {
  return { orgId: toObjectId(orgId, 'organisation') };
}
