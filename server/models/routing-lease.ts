import { mongoose } from '../db/connect.js';

const { Schema, model } = mongoose;

/**
 * Who routes an organisation's queue now: one document per organisation (its `_id` is the organisation's), taken by
 * a conditional update when free or expired. Several app processes share one database, so routing is one orderly
 * process per organisation instead of racing passes; the expiry frees it when its holder dies.
 */
export interface RoutingLeaseDoc {
  _id: mongoose.Types.ObjectId;
  orgId: mongoose.Types.ObjectId;
  owner: string;
  until: Date;
}

const routingLeaseSchema = new Schema<RoutingLeaseDoc>({
  orgId: { type: Schema.Types.ObjectId, ref: 'Organization', required: true },
  owner: { type: String, required: true },
  until: { type: Date, required: true },
});

export const RoutingLease = model<RoutingLeaseDoc>('RoutingLease', routingLeaseSchema);
