import type { ServiceContext } from '../context.js';
import type { ChatChannelDoc } from '../../models/chat-channel.js';
import { getChannel, updateChannel, type ChannelInput } from './channels.js';

/** The API's PATCH: the channel as stored, changed by `patched` (the fields sent, checked as a whole channel). */
export async function patchChannel(ctx: ServiceContext, id: string, patched: (current: ChatChannelDoc) => ChannelInput): Promise<ChatChannelDoc> {
  const current = await getChannel(ctx, id);
  return updateChannel(ctx, String(current._id), patched(current));
}
