import { mongoose } from '../db/connect.js';
import { clock } from '../clock.js';
import { postKinds, holdReasons, type PostKind, type HoldReason } from '../domain/vocabulary.js';

const { Schema, model } = mongoose;

// Shared vocabulary (see server/domain/vocabulary.ts), still named here for the code that reads it with the model.
export { postKinds, holdReasons, type PostKind, type HoldReason };

export interface PostContent {
  text: string;
  /** GridFS ids of the post's pictures (bucket `media`), in order. */
  imageIds: mongoose.Types.ObjectId[];
  link?: string | null | undefined;
}

/** A post to a large audience is stored first and delivered in the background; one delivered at once has no state. */
export const deliveryStates = ['delivering', 'done', 'failed'] as const;
export type DeliveryState = (typeof deliveryStates)[number];

export interface SocialPostDoc extends PostContent {
  _id: mongoose.Types.ObjectId;
  orgId: mongoose.Types.ObjectId;
  kind: PostKind;
  authorId: mongoose.Types.ObjectId;
  storeId?: mongoose.Types.ObjectId | null | undefined;
  /** Group posts: the group. */
  groupId?: mongoose.Types.ObjectId | null | undefined;
  /** Moments: customers with any of these tags; empty means all of the author's customers. */
  audienceTagIds: mongoose.Types.ObjectId[];
  /** Published from a campaign task. */
  campaignId?: mongoose.Types.ObjectId | null | undefined;
  /** The day it was published, in the organisation's timezone (the day quotas and caps count in). */
  day: string;
  stats: { audience: number; reached: number; heldBack: number; likes: number; comments: number };
  /** Delivery still under way, finished or given up (its touches given back); absent: delivered when published. */
  delivery?: { state: DeliveryState; decided: number; movedAt: Date } | undefined;
  /** While delivering: the audience as it was when published, in order; the delivery reads it, nothing else does. */
  pendingAudience?: mongoose.Types.ObjectId[] | undefined;
  /** Moments: customers' comments and first likes the author has not looked at yet (her badge); her opening the moment clears it. */
  unseen?: number | undefined;
  createdAt: Date;
}

const socialPostSchema = new Schema<SocialPostDoc>(
  {
    orgId: { type: Schema.Types.ObjectId, ref: 'Organization', required: true },
    kind: { type: String, enum: postKinds, required: true },
    authorId: { type: Schema.Types.ObjectId, ref: 'Staff', required: true },
    storeId: { type: Schema.Types.ObjectId, ref: 'Store', default: null },
    groupId: { type: Schema.Types.ObjectId, ref: 'CustomerGroup', default: null },
    text: { type: String, required: true },
    imageIds: { type: [Schema.Types.ObjectId], default: [] },
    link: { type: String, default: null },
    audienceTagIds: { type: [Schema.Types.ObjectId], ref: 'Tag', default: [] },
    campaignId: { type: Schema.Types.ObjectId, ref: 'Campaign', default: null },
    day: { type: String, required: true },
    stats: {
      audience: { type: Number, default: 0 },
      reached: { type: Number, default: 0 },
      heldBack: { type: Number, default: 0 },
      likes: { type: Number, default: 0 },
      comments: { type: Number, default: 0 },
    },
    unseen: { type: Number, default: 0 },
    delivery: {
      type: new Schema(
        { state: { type: String, enum: deliveryStates, required: true }, decided: { type: Number, default: 0 }, movedAt: { type: Date, required: true } },
        { _id: false },
      ),
      default: undefined,
    },
    // Up to an audience's worth of ids: never read with the post, only by its delivery.
    pendingAudience: { type: [Schema.Types.ObjectId], default: undefined, select: false },
  },
  // The app's clock, not the machine's: quotas, feeds and campaign tasks compare post times with it.
  { timestamps: { createdAt: true, updatedAt: false, currentTime: () => clock.now() } },
);

socialPostSchema.index({ orgId: 1, kind: 1, authorId: 1, createdAt: -1 });
socialPostSchema.index({ orgId: 1, groupId: 1, createdAt: -1 });
socialPostSchema.index({ orgId: 1, storeId: 1, kind: 1, createdAt: -1 });
socialPostSchema.index({ orgId: 1, imageIds: 1 });
// The sweep's question across organisations: deliveries still under way that stopped moving.
socialPostSchema.index({ 'delivery.state': 1, 'delivery.movedAt': 1 });

export const SocialPost = model<SocialPostDoc>('SocialPost', socialPostSchema);

/**
 * One post for one customer: shown (in the feed or the group) or held back, and why. Written when the post is
 * published, so the customer's feed is one indexed read and the post's statistics are exact.
 */
export interface DeliveryDoc {
  _id: mongoose.Types.ObjectId;
  orgId: mongoose.Types.ObjectId;
  postId: mongoose.Types.ObjectId;
  customerId: mongoose.Types.ObjectId;
  /** `deliveryKey(orgId, postId, customerId)`: one delivery per post and customer, in one field (see there). */
  scopedKey: string;
  kind: PostKind;
  groupId?: mongoose.Types.ObjectId | null | undefined;
  shown: boolean;
  heldReason?: HoldReason | null | undefined;
  liked: boolean;
  /** Set by the first like: the clerk's timeline records a customer's like of a post once. */
  likedOnce?: boolean | undefined;
  at: Date;
}

const deliverySchema = new Schema<DeliveryDoc>({
  orgId: { type: Schema.Types.ObjectId, ref: 'Organization', required: true },
  postId: { type: Schema.Types.ObjectId, ref: 'SocialPost', required: true },
  customerId: { type: Schema.Types.ObjectId, ref: 'Customer', required: true },
  scopedKey: { type: String, required: true },
  kind: { type: String, enum: postKinds, required: true },
  groupId: { type: Schema.Types.ObjectId, ref: 'CustomerGroup', default: null },
  shown: { type: Boolean, required: true },
  heldReason: { type: String, enum: [...holdReasons, null], default: null },
  liked: { type: Boolean, default: false },
  likedOnce: { type: Boolean, default: false },
  at: { type: Date, required: true },
});

// Sparse only so that it builds at start-up over deliveries stored before the field existed; the data migration
// (services/maintenance/migrations.ts) then gives them their key and drops the former unique index {postId, customerId}.
deliverySchema.index({ scopedKey: 1 }, { unique: true, sparse: true });
// A post's deliveries (its statistics, its likes, taking it back), which the former unique index served. Not unique:
// a plain index costs an insert no check; measured on FerretDB, 2,000 deliveries took as long with it as without.
deliverySchema.index({ postId: 1 });
deliverySchema.index({ orgId: 1, customerId: 1, kind: 1, shown: 1, at: -1 });

/**
 * A delivery's unique key in one field: the organisation's id, the post's, the customer's. One field because an
 * engine checks a single-field unique index through the index itself, while DocumentDB (FerretDB's engine) checks a
 * compound one by scanning every entry that shares its first field: each delivery of a large post cost more than the
 * one before. The organisation's id comes first so that a range shard key on this field still keeps an
 * organisation's deliveries together (ARCHITECTURE: the organisation first in every shard key), a post's beside each other.
 */
export function deliveryKey(orgId: mongoose.Types.ObjectId, postId: mongoose.Types.ObjectId, customerId: mongoose.Types.ObjectId): string {
  return `${String(orgId)}:${String(postId)}:${String(customerId)}`;
}

export const Delivery = model<DeliveryDoc>('Delivery', deliverySchema);

/** The shop's answer under a comment, shown to the customer under her comment. */
export interface CommentReply {
  _id: mongoose.Types.ObjectId;
  staffId: mongoose.Types.ObjectId;
  text: string;
  at: Date;
}

/** A customer's comment on a post they were shown; the clerk reads it on the post and in the customer's timeline. */
export interface PostCommentDoc {
  _id: mongoose.Types.ObjectId;
  orgId: mongoose.Types.ObjectId;
  postId: mongoose.Types.ObjectId;
  customerId: mongoose.Types.ObjectId;
  text: string;
  at: Date;
  /** Kept with the comment: the customer's page reads her comments and their replies in one query. */
  replies?: CommentReply[] | undefined;
}

const postCommentSchema = new Schema<PostCommentDoc>({
  orgId: { type: Schema.Types.ObjectId, ref: 'Organization', required: true },
  postId: { type: Schema.Types.ObjectId, ref: 'SocialPost', required: true },
  customerId: { type: Schema.Types.ObjectId, ref: 'Customer', required: true },
  text: { type: String, required: true },
  at: { type: Date, required: true },
  replies: {
    type: [
      new Schema<CommentReply>({
        staffId: { type: Schema.Types.ObjectId, ref: 'Staff', required: true },
        text: { type: String, required: true },
        at: { type: Date, required: true },
      }),
    ],
    default: [],
  },
});

postCommentSchema.index({ orgId: 1, postId: 1, at: 1 });

export const PostComment = model<PostCommentDoc>('PostComment', postCommentSchema);
