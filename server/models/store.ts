import { mongoose } from '../db/connect.js';

const { Schema, model } = mongoose;

export interface StoreDoc {
  _id: mongoose.Types.ObjectId;
  orgId: mongoose.Types.ObjectId;
  name: string;
  address: string;
  city: string;
  /** GeoJSON point [longitude, latitude], for routing by location later. */
  location?: { type: 'Point'; coordinates: [number, number] } | undefined;
  createdAt: Date;
  updatedAt: Date;
}

const storeSchema = new Schema<StoreDoc>(
  {
    orgId: { type: Schema.Types.ObjectId, ref: 'Organization', required: true },
    name: { type: String, required: true, trim: true, maxlength: 100 },
    address: { type: String, default: '', trim: true, maxlength: 300 },
    city: { type: String, default: '', trim: true, maxlength: 100 },
    location: {
      type: new Schema({ type: { type: String, enum: ['Point'], required: true }, coordinates: { type: [Number], required: true } }, { _id: false }),
      required: false,
    },
  },
  { timestamps: true },
);

storeSchema.index({ orgId: 1, name: 1 }, { unique: true });

export const Store = model<StoreDoc>('Store', storeSchema);
