import { mongoose } from '../db/connect.js';
import { groupStatuses, memberSources } from '../domain/vocabulary.js';

const { Schema, model } = mongoose;

// Shared vocabulary (see server/domain/vocabulary.ts), still named here for the code that reads it with the model.
export { groupStatuses, memberSources };

/** A clerk's customer group (a store's fruit-lovers group): members, a notice, an invite link, posts. */
export interface CustomerGroupDoc {
  _id: mongoose.Types.ObjectId;
  orgId: mongoose.Types.ObjectId;
  storeId?: mongoose.Types.ObjectId | null | undefined;
  ownerId: mongoose.Types.ObjectId;
  name: string;
  notice: string;
  /** This group's own cap, at most the organisation's groupMemberCap (null: the organisation's). */
  cap?: number | null | undefined;
  /**
   * Members now, raised by one conditional update before a member is stored, so concurrent joins never pass the
   * cap; it is never lower than the stored members.
   */
  memberCount: number;
  /** The public invite page's key (`/g/<key>`). */
  inviteKey: string;
  /** Where the invite link sends joiners once this group is full. */
  followOnId?: mongoose.Types.ObjectId | null | undefined;
  status: (typeof groupStatuses)[number];
  createdBy: mongoose.Types.ObjectId;
  createdAt: Date;
  updatedAt: Date;
}

const customerGroupSchema = new Schema<CustomerGroupDoc>(
  {
    orgId: { type: Schema.Types.ObjectId, ref: 'Organization', required: true },
    storeId: { type: Schema.Types.ObjectId, ref: 'Store', default: null },
    ownerId: { type: Schema.Types.ObjectId, ref: 'Staff', required: true },
    name: { type: String, required: true, trim: true },
    notice: { type: String, default: '' },
    cap: { type: Number, default: null },
    memberCount: { type: Number, default: 0, min: 0 },
    inviteKey: { type: String, required: true },
    followOnId: { type: Schema.Types.ObjectId, ref: 'CustomerGroup', default: null },
    status: { type: String, enum: groupStatuses, default: 'active' },
    createdBy: { type: Schema.Types.ObjectId, ref: 'Staff', required: true },
  },
  { timestamps: true },
);

customerGroupSchema.index({ inviteKey: 1 }, { unique: true });
customerGroupSchema.index({ orgId: 1, ownerId: 1, status: 1 });
customerGroupSchema.index({ orgId: 1, storeId: 1, status: 1 });

export const CustomerGroup = model<CustomerGroupDoc>('CustomerGroup', customerGroupSchema);

export interface GroupMemberDoc {
  _id: mongoose.Types.ObjectId;
  orgId: mongoose.Types.ObjectId;
  groupId: mongoose.Types.ObjectId;
  customerId: mongoose.Types.ObjectId;
  via: (typeof memberSources)[number];
  addedBy?: mongoose.Types.ObjectId | null | undefined;
  joinedAt: Date;
}

const groupMemberSchema = new Schema<GroupMemberDoc>({
  orgId: { type: Schema.Types.ObjectId, ref: 'Organization', required: true },
  groupId: { type: Schema.Types.ObjectId, ref: 'CustomerGroup', required: true },
  customerId: { type: Schema.Types.ObjectId, ref: 'Customer', required: true },
  via: { type: String, enum: memberSources, required: true },
  addedBy: { type: Schema.Types.ObjectId, ref: 'Staff', default: null },
  joinedAt: { type: Date, required: true },
});

groupMemberSchema.index({ groupId: 1, customerId: 1 }, { unique: true });
groupMemberSchema.index({ orgId: 1, customerId: 1 });
groupMemberSchema.index({ orgId: 1, groupId: 1, joinedAt: -1 });

export const GroupMember = model<GroupMemberDoc>('GroupMember', groupMemberSchema);

/** Joins and leaves of one group on one day (organisation timezone), counted as they happen. */
export interface GroupDayStatDoc {
  _id: mongoose.Types.ObjectId;
  orgId: mongoose.Types.ObjectId;
  groupId: mongoose.Types.ObjectId;
  day: string;
  joins: number;
  leaves: number;
}

const groupDayStatSchema = new Schema<GroupDayStatDoc>({
  orgId: { type: Schema.Types.ObjectId, ref: 'Organization', required: true },
  groupId: { type: Schema.Types.ObjectId, ref: 'CustomerGroup', required: true },
  day: { type: String, required: true },
  joins: { type: Number, default: 0 },
  leaves: { type: Number, default: 0 },
});

groupDayStatSchema.index({ groupId: 1, day: 1 }, { unique: true });

export const GroupDayStat = model<GroupDayStatDoc>('GroupDayStat', groupDayStatSchema);
