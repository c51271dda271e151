import { mongoose } from '../db/connect.js';
import type { OrgSettings } from '../services/settings/org-settings.js';

const { Schema, model } = mongoose;

export interface OrganizationDoc {
  _id: mongoose.Types.ObjectId;
  name: string;
  settings: Partial<OrgSettings>;
  createdAt: Date;
  updatedAt: Date;
}

const organizationSchema = new Schema<OrganizationDoc>(
  {
    name: { type: String, required: true, trim: true, maxlength: 100 },
    settings: { type: Schema.Types.Mixed, default: () => ({}) },
  },
  { timestamps: true, minimize: false },
);

export const Organization = model<OrganizationDoc>('Organization', organizationSchema);
