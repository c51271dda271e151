import { mongoose } from '../db/connect.js';

const { Schema, model } = mongoose;

/** Enterprise tag groups are managed by admins and marketers; a personal tag has an owner and no group. */
export interface TagGroupDoc {
  _id: mongoose.Types.ObjectId;
  orgId: mongoose.Types.ObjectId;
  name: string;
  color: string;
  order: number;
}

const tagGroupSchema = new Schema<TagGroupDoc>(
  {
    orgId: { type: Schema.Types.ObjectId, ref: 'Organization', required: true },
    name: { type: String, required: true, trim: true, maxlength: 30 },
    color: { type: String, default: '#0d6efd' },
    order: { type: Number, default: 0 },
  },
  { timestamps: true },
);
tagGroupSchema.index({ orgId: 1, name: 1 }, { unique: true });

export interface TagDoc {
  _id: mongoose.Types.ObjectId;
  orgId: mongoose.Types.ObjectId;
  groupId?: mongoose.Types.ObjectId | null | undefined;
  ownerId?: mongoose.Types.ObjectId | null | undefined;
  name: string;
  order: number;
}

const tagSchema = new Schema<TagDoc>(
  {
    orgId: { type: Schema.Types.ObjectId, ref: 'Organization', required: true },
    groupId: { type: Schema.Types.ObjectId, ref: 'TagGroup', default: null },
    ownerId: { type: Schema.Types.ObjectId, ref: 'Staff', default: null },
    name: { type: String, required: true, trim: true, maxlength: 30 },
    order: { type: Number, default: 0 },
  },
  { timestamps: true },
);
tagSchema.index({ orgId: 1, groupId: 1, ownerId: 1, name: 1 }, { unique: true });

export const TagGroup = model<TagGroupDoc>('TagGroup', tagGroupSchema);
export const Tag = model<TagDoc>('Tag', tagSchema);
