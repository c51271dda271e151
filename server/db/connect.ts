import mongoose from 'mongoose';
import { tenantScopePlugin } from './tenant-scope.js';
import { leanDefaultsPlugin } from './lean-defaults.js';
import { buildIndexes } from './indexes.js';

// Plugins must be registered before any model is compiled, hence at import of this module.
mongoose.plugin(tenantScopePlugin);
mongoose.plugin(leanDefaultsPlugin);
mongoose.set('strictQuery', true);

export async function connectMongoose(uri: string): Promise<typeof mongoose> {
  // Indexes are built here rather than in the background, so that a refused build is retried and then stops the start.
  // Acknowledged means durable: every write waits for the journal (a majority of a replica set), and a client is told
  // "stored" only after that.
  await mongoose.connect(uri, { serverSelectionTimeoutMS: 5000, autoIndex: false, writeConcern: { w: 'majority', journal: true } });
  // Indexes are part of each model's contract (uniqueness decides duplicates), so build them before serving.
  await Promise.all(
    Object.values(mongoose.models).map(async (model) => {
      await model.init();
      await buildIndexes(() => model.createIndexes());
    }),
  );
  return mongoose;
}

export async function disconnectMongoose(): Promise<void> {
  await mongoose.disconnect();
}

export { mongoose };
