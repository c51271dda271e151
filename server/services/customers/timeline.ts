import type { mongoose } from '../../db/connect.js';
import { TimelineEvent, type TimelineEventDoc, type TimelineType } from '../../models/timeline-event.js';
import type { ServiceContext } from '../context.js';
import { toObjectId } from '../ids.js';
import type { CustomerDoc } from '../../models/customer.js';
import { Staff } from '../../models/staff.js';

export async function appendTimeline(
  ctx: ServiceContext,
  customerId: mongoose.Types.ObjectId,
  type: TimelineType,
  data: Record<string, unknown>,
): Promise<void> {
  await TimelineEvent.create({ orgId: toObjectId(ctx.orgId), customerId, type, actorId: ctx.actor.system ? null : toObjectId(ctx.actor.id), data });
}

export type TimelineEntry = Omit<TimelineEventDoc, 'actorId'> & { actorId?: unknown };

/**
 * The timeline of a customer the caller has already loaded within its reach (see listTimeline in customers.ts), newest
 * first; the customer's creation (kept on the customer itself) closes the list.
 */
export async function timelineOf(customer: CustomerDoc, limit = 50): Promise<TimelineEntry[]> {
  const [events, creator] = await Promise.all([
    TimelineEvent.find({ orgId: customer.orgId, customerId: customer._id })
      .sort({ at: -1, _id: -1 })
      .limit(limit)
      .populate({ path: 'actorId', select: 'realName', match: { orgId: customer.orgId } })
      .lean<TimelineEntry[]>(),
    customer.createdBy ? Staff.findOne({ _id: customer.createdBy, orgId: customer.orgId }, { realName: 1 }).lean() : null,
  ]);
  if (events.length >= limit) return events;
  const created: TimelineEntry = {
    _id: customer._id,
    orgId: customer.orgId,
    customerId: customer._id,
    type: 'customer.created',
    actorId: creator,
    data: { source: customer.source },
    at: customer.createdAt,
  };
  return [...events, created];
}
