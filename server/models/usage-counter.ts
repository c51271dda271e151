import { mongoose } from '../db/connect.js';

const { Schema, model } = mongoose;

/**
 * A count within a period (a staff member's posts today, a group's mass messages this month, a customer's touches
 * today), raised only by one conditional update that checks the limit in the same operation: concurrent requests
 * can never pass a limit. `key` names what is counted and the period (for example `moments:<staffId>:2026-11-22`).
 */
export interface UsageCounterDoc {
  _id: mongoose.Types.ObjectId;
  orgId: mongoose.Types.ObjectId;
  key: string;
  /** `counterKey(orgId, key)`: the counter's unique key, one field (see there). */
  scopedKey: string;
  used: number;
  /** Per-channel counts, for counters that hold more than one limit (a customer's touches by channel). */
  by?: Record<string, number> | undefined;
  /**
   * What each use was counted for, where a batch counts many counters at once (a post's id): tells which counters
   * one conditional update of many raised, and gives back exactly those.
   */
  marks?: mongoose.Types.ObjectId[] | undefined;
  /** When the period ends: the counter is useless after it, and purged. */
  expiresAt: Date;
}

const usageCounterSchema = new Schema<UsageCounterDoc>(
  {
    orgId: { type: Schema.Types.ObjectId, ref: 'Organization', required: true },
    key: { type: String, required: true },
    scopedKey: { type: String, required: true },
    // No defaults: the counting update creates these fields with $inc, and a default inserted beside it would conflict.
    used: { type: Number },
    by: { type: Schema.Types.Mixed },
    marks: { type: [Schema.Types.ObjectId], default: undefined },
    expiresAt: { type: Date, required: true },
  },
  { minimize: false },
);

// Sparse only so that it builds at start-up over counters stored before the field existed; the data migration
// (services/maintenance/migrations.ts) then gives them their key and drops the former unique index {orgId, key}.
usageCounterSchema.index({ scopedKey: 1 }, { unique: true, sparse: true });
usageCounterSchema.index({ expiresAt: 1 });

/**
 * A counter's unique key in one field: the organisation's id, then what is counted. One field because an engine
 * checks a single-field unique index through the index itself, while DocumentDB (FerretDB's engine) checks a compound
 * one by scanning every entry that shares its first field, so inserting counters grew slower with each counter the
 * organisation already had. The organisation's id comes first so that a range shard key on this field still keeps an
 * organisation's counters together (ARCHITECTURE: the organisation first in every shard key).
 */
export function counterKey(orgId: mongoose.Types.ObjectId, key: string): string {
  return `${String(orgId)}:${key}`;
}

export const UsageCounter = model<UsageCounterDoc>('UsageCounter', usageCounterSchema);
