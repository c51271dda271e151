import { mongoose } from '../db/connect.js';

const { Schema, model } = mongoose;

/** A data migration that finished; its unique name makes it run once per database, whichever process starts first. */
export interface MigrationDoc {
  _id: mongoose.Types.ObjectId;
  name: string;
  /** What it changed, for the operator reading the log later. */
  result: Record<string, number>;
  finishedAt: Date;
}

const migrationSchema = new Schema<MigrationDoc>({
  name: { type: String, required: true },
  result: { type: Schema.Types.Mixed, default: {} },
  finishedAt: { type: Date, required: true },
});

migrationSchema.index({ name: 1 }, { unique: true });

export const Migration = model<MigrationDoc>('Migration', migrationSchema);
