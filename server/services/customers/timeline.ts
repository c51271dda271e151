import type { mongoose } from '../../db/connect.js';
import { TimelineEvent, type TimelineEventDoc, type TimelineType } from '../../models/timeline-event.js';
import type { ServiceContext } from '../context.js';
import { toObjectId } from '../ids.js';
import { getCustomer } from './customers.js';

export async function appendTimeline(ctx: ServiceContext, customerId: mongoose.Types.ObjectId, type: TimelineType, data: Record<string, unknown>): Promise<void> {
  await TimelineEvent.create({ orgId: toObjectId(ctx.orgId), customerId, type, actorId: ctx.actor.system ? null : toObjectId(ctx.actor.id), data });
}

export async function listTimeline(ctx: ServiceContext, customerId: string, limit = 50): Promise<TimelineEventDoc[]> {
  const customer = await getCustomer(ctx, customerId);
  return TimelineEvent.find({ orgId: customer.orgId, customerId: customer._id })
    .sort({ at: -1, _id: -1 })
    .limit(limit)
    .populate({ path: 'actorId', select: 'realName', match: { orgId: customer.orgId } })
    .lean<TimelineEventDoc[]>();
}
