import { mongoose } from '../db/connect.js';
import type { OrgSettings } from '../domain/settings.js';

const { Schema, model } = mongoose;

export interface OrganizationDoc {
  _id: mongoose.Types.ObjectId;
  name: string;
  settings: Partial<OrgSettings>;
  /** Counters kept with atomic conditional updates, so a limit holds under concurrent writes. */
  counters: { enterpriseTags: number };
  createdAt: Date;
  updatedAt: Date;
}

const organizationSchema = new Schema<OrganizationDoc>(
  {
    name: { type: String, required: true, trim: true, maxlength: 100 },
    settings: { type: Schema.Types.Mixed, default: () => ({}) },
    counters: { enterpriseTags: { type: Number, default: 0 } },
  },
  { timestamps: true, minimize: false },
);

export const Organization = model<OrganizationDoc>('Organization', organizationSchema);
