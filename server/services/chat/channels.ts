import crypto from 'node:crypto';
import { DateTime } from 'luxon';
import { ChatChannel, CannedReply, type ChatChannelDoc, type CannedReplyDoc, type RoutingMode } from '../../models/chat-channel.js';
import { NotFoundError } from '../../errors.js';
import { authorize } from '../../policies/permissions.js';
import type { ServiceContext } from '../context.js';
import { toObjectId } from '../ids.js';
import type { mongoose } from '../../db/connect.js';
import { assertStoreInOrg } from '../org/stores.js';
import { withinDailyWindow } from '../../domain/calendar.js';
import { isDuplicateKey } from '../mongo-errors.js';
import { ConflictError } from '../../errors.js';
import { runtime } from '../../runtime.js';

export type ChannelInput = {
  name: string;
  storeId: string | null;
  routing: RoutingMode;
  routeByStore: boolean;
  welcomeMessage: string;
  closingMessage: string;
  offlineMessage: string;
  businessDays: number[];
  businessStart: string;
  businessEnd: string;
  keywordAnswers: { keyword: string; answer: string }[];
  active: boolean;
};

function fieldsOf(input: ChannelInput) {
  return {
    name: input.name,
    storeId: input.storeId ? toObjectId(input.storeId, 'store') : null,
    routing: input.routing,
    routeByStore: input.routeByStore,
    welcomeMessage: input.welcomeMessage,
    closingMessage: input.closingMessage,
    offlineMessage: input.offlineMessage,
    businessHours: { days: [...new Set(input.businessDays)].sort(), start: input.businessStart, end: input.businessEnd },
    keywordAnswers: input.keywordAnswers,
    active: input.active,
  };
}

export async function listChannels(ctx: ServiceContext): Promise<ChatChannelDoc[]> {
  authorize(ctx.actor, 'chat.serve');
  return ChatChannel.find({ orgId: toObjectId(ctx.orgId) })
    .sort({ name: 1 })
    .lean<ChatChannelDoc[]>();
}

export async function getChannel(ctx: ServiceContext, id: string): Promise<ChatChannelDoc> {
  authorize(ctx.actor, 'chat.manage');
  const channel = await ChatChannel.findOne({ _id: toObjectId(id, 'channel'), orgId: toObjectId(ctx.orgId) }).lean<ChatChannelDoc>();
  if (!channel) throw new NotFoundError('No such channel');
  return channel;
}

export async function createChannel(ctx: ServiceContext, input: ChannelInput): Promise<ChatChannelDoc> {
  authorize(ctx.actor, 'chat.manage');
  if (input.storeId) await assertStoreInOrg(ctx, input.storeId);
  const channel = await ChatChannel.create({ orgId: toObjectId(ctx.orgId), key: crypto.randomBytes(12).toString('base64url'), ...fieldsOf(input) });
  return channel.toObject();
}

export async function updateChannel(ctx: ServiceContext, id: string, input: ChannelInput): Promise<ChatChannelDoc> {
  const current = await getChannel(ctx, id);
  if (input.storeId) await assertStoreInOrg(ctx, input.storeId);
  const updated = await ChatChannel.findOneAndUpdate(
    { _id: current._id, orgId: current.orgId },
    { $set: fieldsOf(input) },
    { returnDocument: 'after' },
  ).lean<ChatChannelDoc>();
  runtime().chat.channels.forget(`${String(current.orgId)}:${String(current._id)}`);
  if (!updated) throw new NotFoundError('No such channel');
  return updated;
}

/**
 * The chat page a customer reaches the shop through: an active channel of the customer's store, else the
 * organisation's first active one (a shop without a store channel still answers); null when there is none.
 */
export async function shopChannelFor(orgId: string, storeId: string | null | undefined): Promise<Pick<ChatChannelDoc, 'key' | 'name'> | null> {
  const org = toObjectId(orgId);
  const first = (filter: Record<string, unknown>) =>
    ChatChannel.findOne({ orgId: org, active: true, ...filter }, { key: 1, name: 1 })
      .sort({ createdAt: 1, _id: 1 })
      .lean<Pick<ChatChannelDoc, 'key' | 'name'>>();
  return (storeId ? await first({ storeId: toObjectId(storeId) }) : null) ?? (await first({}));
}

/**
 * A channel as a new conversation needs it (wording, business hours, keyword answers, store), kept for a few seconds:
 * a burst of new conversations on one channel reads it once, not once per session. A stale copy only words a welcome
 * or chooses bot or queue by the previous settings for up to 5 s after an edit in another process (an edit here
 * applies at once); routing reads channels afresh.
 */
export function chatChannel(orgId: mongoose.Types.ObjectId | string, channelId: mongoose.Types.ObjectId | string): Promise<ChatChannelDoc | null> {
  return runtime().chat.channels.get(`${String(orgId)}:${String(channelId)}`, () =>
    ChatChannel.findOne({ _id: toObjectId(String(channelId)), orgId: toObjectId(String(orgId)) })
      .lean<ChatChannelDoc>()
      .exec(),
  );
}

/** Tests change channels behind the services' back. */
export function forgetChatChannels(): void {
  runtime().chat.channels.clear();
}

/** Whether someone is meant to be there now, by the channel's business hours in the organisation's timezone. */
export function withinBusinessHours(channel: Pick<ChatChannelDoc, 'businessHours'>, now: Date, timezone: string): boolean {
  const { days, start, end } = channel.businessHours;
  if (!days.length) return true;
  const local = DateTime.fromJSDate(now, { zone: timezone });
  const minute = local.hour * 60 + local.minute;
  return days.includes(local.weekday % 7) && withinDailyWindow(minute, start, end);
}

export async function listCannedReplies(ctx: ServiceContext): Promise<CannedReplyDoc[]> {
  authorize(ctx.actor, 'chat.serve');
  return CannedReply.find({ orgId: toObjectId(ctx.orgId), $or: [{ ownerId: null }, { ownerId: toObjectId(ctx.actor.id) }] })
    .sort({ shortcut: 1 })
    .lean<CannedReplyDoc[]>();
}

/** Organisation-wide replies are the admins'; everyone who serves keeps personal ones. */
export async function addCannedReply(ctx: ServiceContext, input: { shortcut: string; text: string; shared: boolean }): Promise<CannedReplyDoc> {
  authorize(ctx.actor, input.shared ? 'chat.manage' : 'chat.serve');
  try {
    const reply = await CannedReply.create({
      orgId: toObjectId(ctx.orgId),
      ownerId: input.shared ? null : toObjectId(ctx.actor.id),
      shortcut: input.shortcut,
      text: input.text,
    });
    return reply.toObject();
  } catch (err) {
    if (isDuplicateKey(err)) throw new ConflictError('That shortcut is taken', { code: 'duplicate', details: { fields: { shortcut: ['taken'] } } });
    throw err;
  }
}

export async function deleteCannedReply(ctx: ServiceContext, id: string): Promise<void> {
  authorize(ctx.actor, 'chat.serve');
  const reply = await CannedReply.findOne({ _id: toObjectId(id, 'reply'), orgId: toObjectId(ctx.orgId) }).lean<CannedReplyDoc>();
  if (!reply || (reply.ownerId ? String(reply.ownerId) !== ctx.actor.id : false)) throw new NotFoundError('No such reply');
  if (!reply.ownerId) authorize(ctx.actor, 'chat.manage');
  await CannedReply.deleteOne({ _id: reply._id, orgId: reply.orgId });
}
