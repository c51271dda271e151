import { mongoose } from '../db/connect.js';

const { Schema, model } = mongoose;

/**
 * One collection for everything that happens to a customer; later capabilities (messages, sessions, groups,
 * moments, follow-ups) append their own types. Entries are never edited, only appended (and emptied on erasure).
 */
export const timelineTypes = [
  'customer.created',
  'customer.updated',
  'customer.tagged',
  'customer.phone_revealed',
  'customer.transferred',
  'customer.shared',
  'customer.unshared',
  'followup.done',
  'chat.state',
  'group.joined',
  'group.left',
  'post.liked',
  'post.commented',
  'post.replied',
] as const;
export type TimelineType = (typeof timelineTypes)[number];

export interface TimelineEventDoc {
  _id: mongoose.Types.ObjectId;
  orgId: mongoose.Types.ObjectId;
  customerId: mongoose.Types.ObjectId;
  type: string;
  actorId?: mongoose.Types.ObjectId | null | undefined;
  data: Record<string, unknown>;
  at: Date;
}

const timelineEventSchema = new Schema<TimelineEventDoc>({
  orgId: { type: Schema.Types.ObjectId, ref: 'Organization', required: true },
  customerId: { type: Schema.Types.ObjectId, ref: 'Customer', required: true },
  type: { type: String, required: true },
  actorId: { type: Schema.Types.ObjectId, ref: 'Staff', default: null },
  data: { type: Schema.Types.Mixed, default: () => ({}) },
  at: { type: Date, default: () => new Date() },
});

timelineEventSchema.index({ orgId: 1, customerId: 1, at: -1 });

export const TimelineEvent = model<TimelineEventDoc>('TimelineEvent', timelineEventSchema);
