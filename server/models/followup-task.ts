import { mongoose } from '../db/connect.js';
import { followupStatuses, followupOutcomes, type FollowupStatus, type FollowupOutcome } from '../domain/vocabulary.js';

const { Schema, model } = mongoose;

// Shared vocabulary (see server/domain/vocabulary.ts), still named here for the code that reads it with the model.
export { followupStatuses, followupOutcomes, type FollowupStatus, type FollowupOutcome };

/** A clerk's reminder to follow up one customer for one occasion on one date. */
export interface FollowupTaskDoc {
  _id: mongoose.Types.ObjectId;
  orgId: mongoose.Types.ObjectId;
  /**
   * Customer, occasion, whose occasion (the customer or a relative) and date: unique per organisation, so two runs,
   * two processes or a run after a crash can never create the same task twice.
   */
  key: string;
  customerId: mongoose.Types.ObjectId;
  ownerId: mongoose.Types.ObjectId;
  storeId?: mongoose.Types.ObjectId | null | undefined;
  occasion: string;
  /** The organisation event's name when the occasion is one (built-in occasions are named in the reader's language). */
  occasionName?: string | null | undefined;
  relative?: { relation: string; name: string } | null | undefined;
  /** The occasion's day in the organisation's timezone. */
  date: string;
  /** The day the task asks for attention: the occasion's day, or the day it was snoozed to. */
  dueOn: string;
  status: FollowupStatus;
  outcome?: FollowupOutcome | null | undefined;
  snoozeUntil?: string | null | undefined;
  /** The rule's template when the task was made; empty means the product's wording. */
  messageTemplate: string;
  doneAt?: Date | null | undefined;
  doneBy?: mongoose.Types.ObjectId | null | undefined;
  createdAt: Date;
  updatedAt: Date;
}

const followupTaskSchema = new Schema<FollowupTaskDoc>(
  {
    orgId: { type: Schema.Types.ObjectId, ref: 'Organization', required: true },
    key: { type: String, required: true },
    customerId: { type: Schema.Types.ObjectId, ref: 'Customer', required: true },
    ownerId: { type: Schema.Types.ObjectId, ref: 'Staff', required: true },
    storeId: { type: Schema.Types.ObjectId, ref: 'Store', default: null },
    occasion: { type: String, required: true },
    occasionName: { type: String, default: null },
    relative: { type: new Schema({ relation: String, name: String }, { _id: false }), default: null },
    date: { type: String, required: true },
    dueOn: { type: String, required: true },
    status: { type: String, enum: followupStatuses, default: 'open' },
    outcome: { type: String, enum: [...followupOutcomes, null], default: null },
    snoozeUntil: { type: String, default: null },
    messageTemplate: { type: String, default: '' },
    doneAt: { type: Date, default: null },
    doneBy: { type: Schema.Types.ObjectId, ref: 'Staff', default: null },
  },
  { timestamps: true },
);

followupTaskSchema.index({ orgId: 1, key: 1 }, { unique: true });
followupTaskSchema.index({ orgId: 1, ownerId: 1, status: 1, dueOn: 1 });
followupTaskSchema.index({ orgId: 1, storeId: 1, date: 1 });
followupTaskSchema.index({ orgId: 1, date: 1 });
followupTaskSchema.index({ orgId: 1, customerId: 1 });

export const FollowupTask = model<FollowupTaskDoc>('FollowupTask', followupTaskSchema);

/** A staff member's morning digest for one day; delivered once, outside their do-not-disturb window. */
export interface FollowupDigestDoc {
  _id: mongoose.Types.ObjectId;
  orgId: mongoose.Types.ObjectId;
  staffId: mongoose.Types.ObjectId;
  date: string;
  deliverAt: Date;
  deliveredAt?: Date | null | undefined;
  emailedAt?: Date | null | undefined;
  counts: { today: number; upcoming: number; overdue: number };
  createdAt: Date;
}

const followupDigestSchema = new Schema<FollowupDigestDoc>(
  {
    orgId: { type: Schema.Types.ObjectId, ref: 'Organization', required: true },
    staffId: { type: Schema.Types.ObjectId, ref: 'Staff', required: true },
    date: { type: String, required: true },
    deliverAt: { type: Date, required: true },
    deliveredAt: { type: Date, default: null },
    emailedAt: { type: Date, default: null },
    counts: { today: { type: Number, default: 0 }, upcoming: { type: Number, default: 0 }, overdue: { type: Number, default: 0 } },
  },
  { timestamps: { createdAt: true, updatedAt: false } },
);

followupDigestSchema.index({ orgId: 1, staffId: 1, date: 1 }, { unique: true });
// Delivery looks across organisations for what is due: a platform job, not a tenant query.
followupDigestSchema.index({ deliveredAt: 1, deliverAt: 1 });

export const FollowupDigest = model<FollowupDigestDoc>('FollowupDigest', followupDigestSchema);

/** Marks that a run went through a festival's or event's whole audience for one date (see the daily run). */
export interface FollowupFanoutDoc {
  _id: mongoose.Types.ObjectId;
  orgId: mongoose.Types.ObjectId;
  occasion: string;
  date: string;
  /** When that run started: later runs look at customers changed since. */
  startedAt: Date;
}

const followupFanoutSchema = new Schema<FollowupFanoutDoc>({
  orgId: { type: Schema.Types.ObjectId, ref: 'Organization', required: true },
  occasion: { type: String, required: true },
  date: { type: String, required: true },
  startedAt: { type: Date, required: true },
});

followupFanoutSchema.index({ orgId: 1, occasion: 1, date: 1 }, { unique: true });

export const FollowupFanout = model<FollowupFanoutDoc>('FollowupFanout', followupFanoutSchema);
