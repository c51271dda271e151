import { mongoose } from '../db/connect.js';
import type { PostContent, PostKind } from './social-post.js';
import { campaignStatuses, campaignTaskStatuses, type CampaignStatus, type CampaignTaskStatus } from '../domain/vocabulary.js';

const { Schema, model } = mongoose;

// Shared vocabulary (see server/domain/vocabulary.ts), still named here for the code that reads it with the model.
export { campaignStatuses, campaignTaskStatuses, type CampaignStatus, type CampaignTaskStatus };

/** A marketer's planned post: at its time each targeted clerk gets a task to publish it (or skip it). */
export interface CampaignDoc extends PostContent {
  _id: mongoose.Types.ObjectId;
  orgId: mongoose.Types.ObjectId;
  kind: PostKind;
  title: string;
  /** Stores whose clerks (moments) or groups (group posts) are targeted; empty means every store. */
  storeIds: mongoose.Types.ObjectId[];
  /** Moments: the audience within each clerk's customers (any of these tags); empty means all. */
  tagIds: mongoose.Types.ObjectId[];
  publishAt: Date;
  status: CampaignStatus;
  createdBy: mongoose.Types.ObjectId;
  firedAt?: Date | null | undefined;
  tasksCreated: number;
  createdAt: Date;
  updatedAt: Date;
}

const campaignSchema = new Schema<CampaignDoc>(
  {
    orgId: { type: Schema.Types.ObjectId, ref: 'Organization', required: true },
    kind: { type: String, enum: ['moment', 'group'], required: true },
    title: { type: String, required: true, trim: true },
    text: { type: String, required: true },
    imageIds: { type: [Schema.Types.ObjectId], default: [] },
    link: { type: String, default: null },
    storeIds: { type: [Schema.Types.ObjectId], ref: 'Store', default: [] },
    tagIds: { type: [Schema.Types.ObjectId], ref: 'Tag', default: [] },
    publishAt: { type: Date, required: true },
    status: { type: String, enum: campaignStatuses, default: 'scheduled' },
    createdBy: { type: Schema.Types.ObjectId, ref: 'Staff', required: true },
    firedAt: { type: Date, default: null },
    tasksCreated: { type: Number, default: 0 },
  },
  { timestamps: true },
);

campaignSchema.index({ status: 1, publishAt: 1 });
campaignSchema.index({ orgId: 1, publishAt: -1 });
campaignSchema.index({ orgId: 1, imageIds: 1 });

export const Campaign = model<CampaignDoc>('Campaign', campaignSchema);

/** "Publish this post": one per campaign, clerk and (for group posts) group; the unique key makes firing idempotent. */
export interface CampaignTaskDoc {
  _id: mongoose.Types.ObjectId;
  orgId: mongoose.Types.ObjectId;
  campaignId: mongoose.Types.ObjectId;
  key: string;
  staffId: mongoose.Types.ObjectId;
  storeId?: mongoose.Types.ObjectId | null | undefined;
  groupId?: mongoose.Types.ObjectId | null | undefined;
  status: CampaignTaskStatus;
  postId?: mongoose.Types.ObjectId | null | undefined;
  /** While a publish is under way: a lease, so a double tap publishes once and a crash mid-way frees the task later. */
  claimedAt?: Date | null | undefined;
  doneAt?: Date | null | undefined;
  createdAt: Date;
}

const campaignTaskSchema = new Schema<CampaignTaskDoc>(
  {
    orgId: { type: Schema.Types.ObjectId, ref: 'Organization', required: true },
    campaignId: { type: Schema.Types.ObjectId, ref: 'Campaign', required: true },
    key: { type: String, required: true },
    staffId: { type: Schema.Types.ObjectId, ref: 'Staff', required: true },
    storeId: { type: Schema.Types.ObjectId, ref: 'Store', default: null },
    groupId: { type: Schema.Types.ObjectId, ref: 'CustomerGroup', default: null },
    status: { type: String, enum: campaignTaskStatuses, default: 'open' },
    postId: { type: Schema.Types.ObjectId, ref: 'SocialPost', default: null },
    claimedAt: { type: Date, default: null },
    doneAt: { type: Date, default: null },
  },
  { timestamps: { createdAt: true, updatedAt: false } },
);

campaignTaskSchema.index({ orgId: 1, key: 1 }, { unique: true });
campaignTaskSchema.index({ orgId: 1, staffId: 1, status: 1, createdAt: -1 });
campaignTaskSchema.index({ orgId: 1, campaignId: 1 });

export const CampaignTask = model<CampaignTaskDoc>('CampaignTask', campaignTaskSchema);
export type { PostKind };
