import type { ServiceContext } from '../../services/context.js';
import { listStoreChoices } from '../../services/org/stores.js';
import { listCannedReplies } from '../../services/chat/channels.js';
import { channelFormValues, presentCannedReply, presentChannel } from '../../presenters/chat-channel.js';
import { qrCodeDataUrl } from '../../presenters/qr-code.js';
import { routingModes } from '../../domain/vocabulary.js';
import { flagsFor } from '../../policies/flags.js';
import { fieldList } from '../../http/forms.js';

/** View models of the channel and canned-reply pages. */

type T = (key: string, params?: Record<string, unknown>) => string;
type Channel = Parameters<typeof presentChannel>[0];
type Stores = Awaited<ReturnType<typeof listStoreChoices>>;

/** A new channel's form starts with these. */
export const newChannelValues = () => ({
  routing: 'least_busy',
  routeByStore: 'on',
  active: 'on',
  businessStart: '09:00',
  businessEnd: '21:00',
  businessDays: [] as string[],
});

export async function channelListModel(channels: Channel[], origin: string, t: T) {
  const presented = channels.map((c) => presentChannel(c, origin));
  return { title: t('chatChannels.title'), channels: await Promise.all(presented.map(async (c) => ({ ...c, qr: await qrCodeDataUrl(c.url) }))) };
}

export function channelFormModel(stores: Stores, title: string, action: string) {
  return {
    title,
    stores: stores.map((s) => ({ id: String(s._id), name: s.name })),
    routingModes,
    weekdays: [1, 2, 3, 4, 5, 6, 0],
    action,
  };
}

export async function loadChannelFormModel(ctx: ServiceContext, title: string, action: string) {
  return channelFormModel(await listStoreChoices(ctx), title, action);
}

export async function editChannelModel(channel: Channel, ctx: ServiceContext, t: T) {
  const view = presentChannel(channel);
  return {
    ...(await loadChannelFormModel(ctx, t('chatChannels.edit'), `/admin/channels/${view.id}`)),
    values: { ...channelFormValues(view), businessDays: view.businessDays.map(String) },
  };
}

/** The week's days ticked, as the form posted them (one, several or none). */
export const postedChannelValues = (body: Record<string, unknown>) => ({ businessDays: fieldList(body.businessDays) });

export function cannedModel(replies: Parameters<typeof presentCannedReply>[0][], ctx: ServiceContext, t: T) {
  return { title: t('cannedReplies.title'), replies: replies.map(presentCannedReply), canShare: flagsFor(ctx.actor, { canShare: 'chat.manage' }).canShare };
}

export async function loadCannedModel(ctx: ServiceContext, t: T) {
  return cannedModel(await listCannedReplies(ctx), ctx, t);
}
