import { tokenSigner } from '../auth/signed-tokens.js';
import { ChatChannel, ChatVisitor, type ChatChannelDoc, type ChatVisitorDoc } from '../../models/chat-channel.js';
import { Customer } from '../../models/customer.js';
import { NotFoundError, UnauthenticatedError } from '../../errors.js';
import { chatLimits } from '../../domain/settings.js';
import { customerPhoneFields } from '../customers/phones.js';
import { domainEvents } from '../events.js';
import { countVisitorStart } from './public-limits.js';
import { chatSettings } from './sessions.js';
import crypto from 'node:crypto';

/** Who a customer-side request comes from: one visitor of one organisation's channel. */
/** `origin`: the connection the visitor's request came over, when it is a socket (pushes of its effect skip it). */
export type VisitorContext = { orgId: string; visitorId: string; channelId: string; origin?: string };

const signer = tokenSigner('chat-visitor');

export function visitorTokenFor(visitor: Pick<ChatVisitorDoc, '_id' | 'tokenVersion'>): string {
  return signer.issue(String(visitor._id), visitor.tokenVersion, chatLimits.visitorTokenDays);
}

/** The visitor a token names, if its signature, expiry and version hold; anything else is 401 `invalid_token`. */
export async function visitorFromToken(token: unknown): Promise<{ ctx: VisitorContext; visitor: ChatVisitorDoc }> {
  const refuse = () => new UnauthenticatedError('The chat token is missing, invalid or expired.', { messageKey: 'chat.errors.invalidToken' });
  const claim = signer.read(token);
  if (!claim) throw refuse();
  const visitor = await ChatVisitor.findById(claim.id).setOptions({ allOrgs: true }).lean<ChatVisitorDoc>();
  if (!visitor || visitor.tokenVersion !== claim.version) throw refuse();
  return { ctx: { orgId: String(visitor.orgId), visitorId: String(visitor._id), channelId: String(visitor.channelId) }, visitor };
}

/** A public channel by its key; an unknown or switched-off channel is a 404. */
export async function channelByKey(key: string): Promise<ChatChannelDoc> {
  const channel =
    typeof key === 'string' && /^[A-Za-z0-9_-]{6,40}$/.test(key)
      ? await ChatChannel.findOne({ key, active: true }).setOptions({ allOrgs: true }).lean<ChatChannelDoc>()
      : null;
  if (!channel) throw new NotFoundError('No such chat');
  return channel;
}

/**
 * A customer starts chatting: a name and optionally a mobile number. A number the CRM knows links the visitor to
 * that customer (so agents see the profile); an unknown one is offered to the agent as a new customer.
 */
export async function startVisitor(
  channelKey: string,
  input: { name: string; phone: string },
): Promise<{ visitor: ChatVisitorDoc; token: string; channel: ChatChannelDoc }> {
  return createVisitor(await channelByKey(channelKey), input);
}

async function createVisitor(
  channel: ChatChannelDoc,
  input: { name: string; phone: string },
): Promise<{ visitor: ChatVisitorDoc; token: string; channel: ChatChannelDoc }> {
  const phone = input.phone ? customerPhoneFields(input.phone).phone : '';
  const customer = phone ? await Customer.findOne({ orgId: channel.orgId, phone, erasedAt: null }, { _id: 1 }).lean() : null;
  const visitor = await ChatVisitor.create({ orgId: channel.orgId, channelId: channel._id, name: input.name, phone, customerId: customer?._id ?? null });
  return { visitor: visitor.toObject(), token: visitorTokenFor(visitor), channel };
}

const deviceSigner = tokenSigner('chat-device');

/**
 * A visitor started by someone anonymous (the chat page, the public API), counted against the organisation's
 * `visitorStartsPerHour` per address and per device. The device is the one its device token names (kept by the chat
 * page in a cookie for every channel, or by an app); a request without a valid one is a new device and gets a token,
 * so the address stays counted whatever the device says, and a shared address is not the only key.
 */
export async function startAnonymousVisitor(
  channelKey: string,
  input: { name: string; phone: string },
  from: { address: string; deviceToken?: unknown },
): Promise<{ visitor: ChatVisitorDoc; token: string; channel: ChatChannelDoc; deviceToken: string }> {
  const channel = await channelByKey(channelKey);
  const known = deviceSigner.read(from.deviceToken);
  const deviceId = known?.id ?? crypto.randomBytes(12).toString('hex');
  const { visitorStartsPerHour } = await chatSettings(channel.orgId);
  await countVisitorStart(String(channel.orgId), { address: from.address, deviceId }, visitorStartsPerHour);
  // Issued again on every start, so a device in use stays known as long as its visitor token lasts.
  return { ...(await createVisitor(channel, input)), deviceToken: deviceSigner.issue(deviceId, 0, chatLimits.visitorTokenDays) };
}

/**
 * "Forget this device" on the chat page: the token ends for good (the visitor's version moves on, so a kept copy of
 * the cookie or token opens nothing), and chat pages open with it are cut off. A token that is not valid for this
 * channel changes nothing: the page only clears its cookie.
 */
export async function forgetVisitorDevice(channel: Pick<ChatChannelDoc, '_id' | 'orgId'>, token: unknown): Promise<void> {
  const claim = signer.read(token);
  if (!claim) return;
  const ended = await ChatVisitor.updateOne(
    { _id: claim.id, orgId: channel.orgId, channelId: channel._id, tokenVersion: claim.version },
    { $inc: { tokenVersion: 1 } },
  );
  if (ended.modifiedCount === 1) domainEvents.emitEvent('chat.visitors_forgotten', { orgId: String(channel.orgId), visitorIds: [claim.id] });
}
