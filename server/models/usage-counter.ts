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
    // No defaults: the counting update creates these fields with $inc, and a default inserted beside it would conflict.
    used: { type: Number },
    by: { type: Schema.Types.Mixed },
    marks: { type: [Schema.Types.ObjectId], default: undefined },
    expiresAt: { type: Date, required: true },
  },
  { minimize: false },
);

usageCounterSchema.index({ orgId: 1, key: 1 }, { unique: true });
usageCounterSchema.index({ expiresAt: 1 });

export const UsageCounter = model<UsageCounterDoc>('UsageCounter', usageCounterSchema);
