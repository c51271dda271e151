import { mongoose } from '../db/connect.js';

const { Schema, model } = mongoose;

export interface ApiTokenDoc {
  _id: mongoose.Types.ObjectId;
  orgId: mongoose.Types.ObjectId;
  staffId: mongoose.Types.ObjectId;
  name: string;
  /** SHA-256 of the token: tokens are 256 random bits, so a fast hash is enough and lookups stay indexed. */
  tokenHash: string;
  /** The first characters, shown in lists so a person can tell tokens apart. */
  prefix: string;
  /** The staff member's authVersion when the token was made: a password reset or deactivation raises it and ends the token for good. */
  authVersion: number;
  lastUsedAt?: Date | null | undefined;
  revokedAt?: Date | null | undefined;
  createdAt: Date;
}

const apiTokenSchema = new Schema<ApiTokenDoc>(
  {
    orgId: { type: Schema.Types.ObjectId, ref: 'Organization', required: true },
    staffId: { type: Schema.Types.ObjectId, ref: 'Staff', required: true },
    name: { type: String, required: true, trim: true, maxlength: 60 },
    tokenHash: { type: String, required: true },
    prefix: { type: String, required: true },
    authVersion: { type: Number, required: true },
    lastUsedAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
  },
  { timestamps: { createdAt: true, updatedAt: false } },
);

apiTokenSchema.index({ tokenHash: 1 }, { unique: true });
apiTokenSchema.index({ orgId: 1, staffId: 1, createdAt: -1 });

export const ApiToken = model<ApiTokenDoc>('ApiToken', apiTokenSchema);
