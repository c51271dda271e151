import type { ServiceContext } from '../context.js';
import type { ChatChannelDoc, ChatVisitorDoc } from '../../models/chat-channel.js';
import { AppError, NotFoundError, UnauthenticatedError } from '../../errors.js';
import { channelByKey, forgetVisitorDevice, visitorFromToken } from './visitors.js';
import { openChatImage, openChatImageForVisitor, storeChatImage, type StoredImage } from './images.js';
import { imageInReach } from './agent-chat.js';
import type { PictureInput } from '../media/pictures.js';

/** The public chat page (`/c/:key`), which knows its visitor by the token its HTTP-only cookie holds. */

/** The visitor this browser's token names, when it is one of this channel's; anything else is nobody (the start form). */
async function rememberedVisitor(channel: ChatChannelDoc, token: string | undefined): Promise<{ token: string; visitor: ChatVisitorDoc } | null> {
  if (!token) return null;
  try {
    const { visitor } = await visitorFromToken(token);
    return String(visitor.channelId) === String(channel._id) ? { token, visitor } : null;
  } catch (err) {
    if (err instanceof AppError) return null;
    throw err;
  }
}

export async function chatPage(
  key: string,
  token: string | undefined,
): Promise<{ channel: ChatChannelDoc; remembered: { token: string; visitor: ChatVisitorDoc } | null }> {
  const channel = await channelByKey(key);
  return { channel, remembered: await rememberedVisitor(channel, token) };
}

/** A picture of this visitor's conversations; without a remembered visitor there is none. */
export async function openChatPageImage(key: string, token: string | undefined, imageId: string) {
  const { channel, remembered } = await chatPage(key, token);
  if (!remembered) throw new NotFoundError('No such image');
  return openChatImageForVisitor(String(channel.orgId), imageId, String(remembered.visitor._id));
}

/** "Not me": this device's token ends; the page then clears its cookie. */
export async function forgetChatPageVisitor(key: string, token: string | undefined): Promise<ChatChannelDoc> {
  const channel = await channelByKey(key);
  await forgetVisitorDevice(channel, token);
  return channel;
}

/** A picture of a conversation in the agent's reach. */
export async function openAgentChatImage(ctx: ServiceContext, imageId: string) {
  await imageInReach(ctx, imageId);
  return openChatImage(ctx.orgId, imageId);
}

/**
 * What takes a picture the chat page uploads, for the visitor this browser's token names; found before a byte of the
 * upload is read, so someone the page does not know is refused (401) without spending the address's allowance.
 */
export async function chatPagePictureTaker(key: string, token: string | undefined): Promise<(file: PictureInput) => Promise<StoredImage>> {
  const { remembered } = await chatPage(key, token);
  if (!remembered) throw new UnauthenticatedError('Start the chat first.', { messageKey: 'chat.errors.invalidToken' });
  const { ctx } = await visitorFromToken(remembered.token);
  return (file) => storeChatImage(ctx, file);
}
