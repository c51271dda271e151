import mongoose from 'mongoose';
import { tenantScopePlugin } from './tenant-scope.js';
import { leanDefaultsPlugin } from './lean-defaults.js';

// Plugins must be registered before any model is compiled, hence at import of this module.
mongoose.plugin(tenantScopePlugin);
mongoose.plugin(leanDefaultsPlugin);
mongoose.set('strictQuery', true);

export async function connectMongoose(uri: string): Promise<typeof mongoose> {
  await mongoose.connect(uri, { serverSelectionTimeoutMS: 5000, autoIndex: true });
  // Indexes are part of each model's contract (uniqueness decides duplicates), so build them before serving.
  await Promise.all(Object.values(mongoose.models).map((model) => model.init()));
  return mongoose;
}

export async function disconnectMongoose(): Promise<void> {
  await mongoose.disconnect();
}

export { mongoose };
