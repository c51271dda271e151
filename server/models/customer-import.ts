import { mongoose } from '../db/connect.js';
import { importPolicies, type ImportPolicy } from '../domain/vocabulary.js';

const { Schema, model } = mongoose;

// Shared vocabulary (see server/domain/vocabulary.ts), still named here for the code that reads it with the model.
export { importPolicies, type ImportPolicy };

export interface CustomerImportDoc {
  _id: mongoose.Types.ObjectId;
  orgId: mongoose.Types.ObjectId;
  actorId: mongoose.Types.ObjectId;
  fileName: string;
  policy: ImportPolicy;
  status: 'running' | 'done' | 'failed';
  /** Data rows in the file (known after the first pass), and how far the second pass got. */
  totalRows: number;
  processed: number;
  created: number;
  updated: number;
  skipped: number;
  rejected: number;
  error?: string | null | undefined;
  createdAt: Date;
  updatedAt: Date;
  finishedAt?: Date | null | undefined;
}

const customerImportSchema = new Schema<CustomerImportDoc>(
  {
    orgId: { type: Schema.Types.ObjectId, ref: 'Organization', required: true },
    actorId: { type: Schema.Types.ObjectId, ref: 'Staff', required: true },
    fileName: { type: String, default: '' },
    policy: { type: String, enum: importPolicies, required: true },
    status: { type: String, enum: ['running', 'done', 'failed'], default: 'running' },
    totalRows: { type: Number, default: 0 },
    processed: { type: Number, default: 0 },
    created: { type: Number, default: 0 },
    updated: { type: Number, default: 0 },
    skipped: { type: Number, default: 0 },
    rejected: { type: Number, default: 0 },
    error: { type: String, default: null },
    finishedAt: { type: Date, default: null },
  },
  { timestamps: true },
);
customerImportSchema.index({ orgId: 1, actorId: 1, createdAt: -1 });

/** A row the import refused, with the reason, for the downloadable report. */
export interface ImportRejectionDoc {
  _id: mongoose.Types.ObjectId;
  orgId: mongoose.Types.ObjectId;
  importId: mongoose.Types.ObjectId;
  line: number;
  row: Record<string, string>;
  reason: string;
}

const importRejectionSchema = new Schema<ImportRejectionDoc>({
  orgId: { type: Schema.Types.ObjectId, ref: 'Organization', required: true },
  importId: { type: Schema.Types.ObjectId, ref: 'CustomerImport', required: true },
  line: { type: Number, required: true },
  row: { type: Schema.Types.Mixed, default: () => ({}) },
  reason: { type: String, required: true },
});
importRejectionSchema.index({ orgId: 1, importId: 1, line: 1 });

export const CustomerImport = model<CustomerImportDoc>('CustomerImport', customerImportSchema);
export const ImportRejection = model<ImportRejectionDoc>('ImportRejection', importRejectionSchema);
