import { mongoose } from '../db/connect.js';

const { Schema, model } = mongoose;

/** An organisation event a marketer adds (store anniversary, member day): yearly, or once when it has a year. */
export interface OrgEvent {
  name: string;
  month: number;
  day: number;
  year?: number | null | undefined;
}

/**
 * How one occasion turns into follow-up tasks. Built-in occasions (birthdays, festivals) have a rule only once
 * someone changed their defaults; an organisation event is always a stored rule, keyed `event:<id>`.
 */
export interface FollowupRuleDoc {
  _id: mongoose.Types.ObjectId;
  orgId: mongoose.Types.ObjectId;
  occasion: string;
  enabled: boolean;
  leadDays: number;
  /** Customers carrying any of these tags; none means every customer. */
  tagIds: mongoose.Types.ObjectId[];
  /** Customers of these stores; none means every store. */
  storeIds: mongoose.Types.ObjectId[];
  /** The suggested message with placeholders; empty means the product's wording in the reader's language. */
  message: string;
  event?: OrgEvent | null | undefined;
  updatedBy?: mongoose.Types.ObjectId | null | undefined;
  createdAt: Date;
  updatedAt: Date;
}

const followupRuleSchema = new Schema<FollowupRuleDoc>(
  {
    orgId: { type: Schema.Types.ObjectId, ref: 'Organization', required: true },
    occasion: { type: String, required: true },
    enabled: { type: Boolean, required: true },
    leadDays: { type: Number, required: true, min: 0, max: 60 },
    tagIds: { type: [Schema.Types.ObjectId], ref: 'Tag', default: [] },
    storeIds: { type: [Schema.Types.ObjectId], ref: 'Store', default: [] },
    message: { type: String, default: '', maxlength: 500 },
    event: {
      type: new Schema<OrgEvent>(
        {
          name: { type: String, required: true, maxlength: 40 },
          month: { type: Number, required: true },
          day: { type: Number, required: true },
          year: { type: Number, default: null },
        },
        { _id: false },
      ),
      default: null,
    },
    updatedBy: { type: Schema.Types.ObjectId, ref: 'Staff', default: null },
  },
  { timestamps: true },
);

followupRuleSchema.index({ orgId: 1, occasion: 1 }, { unique: true });

export const FollowupRule = model<FollowupRuleDoc>('FollowupRule', followupRuleSchema);
