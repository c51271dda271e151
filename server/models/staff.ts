import { mongoose } from '../db/connect.js';
import { roles, staffStatuses, type Role, type StaffStatus } from '../domain/vocabulary.js';

const { Schema, model } = mongoose;

// Shared vocabulary (see server/domain/vocabulary.ts), still named here for the code that reads it with the model.
export { roles, staffStatuses, type Role, type StaffStatus };

export interface StaffDoc {
  _id: mongoose.Types.ObjectId;
  orgId: mongoose.Types.ObjectId;
  /** Unique across the platform: login happens before the organisation is known. */
  login: string;
  passwordHash: string;
  /** Bumped when the password is reset or the account deactivated: older sessions stop at once. */
  authVersion: number;
  realName: string;
  title: string;
  phone: string;
  showPhoneToCustomers: boolean;
  storeId?: mongoose.Types.ObjectId | null | undefined;
  roles: Role[];
  status: StaffStatus;
  leftAt?: Date | null | undefined;
  dndStart: string;
  dndEnd: string;
  /** Where the morning digest goes when SMTP is configured; set by the staff member. */
  email: string;
  lastLoginAt?: Date | null | undefined;
  createdAt: Date;
  updatedAt: Date;
}

const staffSchema = new Schema<StaffDoc>(
  {
    orgId: { type: Schema.Types.ObjectId, ref: 'Organization', required: true },
    login: { type: String, required: true, trim: true, lowercase: true, maxlength: 64 },
    passwordHash: { type: String, required: true },
    authVersion: { type: Number, default: 0 },
    realName: { type: String, required: true, trim: true, maxlength: 60 },
    title: { type: String, default: '', trim: true, maxlength: 60 },
    phone: { type: String, default: '' },
    showPhoneToCustomers: { type: Boolean, default: false },
    storeId: { type: Schema.Types.ObjectId, ref: 'Store', default: null },
    roles: { type: [String], enum: roles, required: true },
    status: { type: String, enum: staffStatuses, default: 'active' },
    leftAt: { type: Date, default: null },
    dndStart: { type: String, default: '21:00' },
    dndEnd: { type: String, default: '08:00' },
    email: { type: String, default: '', trim: true, lowercase: true, maxlength: 254 },
    lastLoginAt: { type: Date, default: null },
  },
  { timestamps: true },
);

staffSchema.index({ login: 1 }, { unique: true });
staffSchema.index({ orgId: 1, storeId: 1, status: 1 });

export const Staff = model<StaffDoc>('Staff', staffSchema);
