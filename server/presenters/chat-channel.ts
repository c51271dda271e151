import type { ChatChannelDoc, CannedReplyDoc } from '../models/chat-channel.js';

export function presentChannel(channel: ChatChannelDoc, baseUrl = '') {
  return {
    id: String(channel._id),
    key: channel.key,
    url: `${baseUrl}/c/${channel.key}`,
    name: channel.name,
    storeId: channel.storeId ? String(channel.storeId) : null,
    routing: channel.routing,
    routeByStore: channel.routeByStore,
    welcomeMessage: channel.welcomeMessage,
    closingMessage: channel.closingMessage,
    offlineMessage: channel.offlineMessage,
    businessDays: channel.businessHours.days,
    businessStart: channel.businessHours.start,
    businessEnd: channel.businessHours.end,
    keywordAnswers: channel.keywordAnswers.map((k) => ({ keyword: k.keyword, answer: k.answer })),
    active: channel.active,
  };
}

/** The form's shape: keyword answers as "keyword = answer" lines. */
export function channelFormValues(channel: ReturnType<typeof presentChannel>) {
  return {
    ...channel,
    storeId: channel.storeId ?? '',
    keywordAnswers: channel.keywordAnswers.map((k) => `${k.keyword} = ${k.answer}`).join('\n'),
    routeByStore: channel.routeByStore ? 'on' : '',
    active: channel.active ? 'on' : '',
  };
}

export function presentCannedReply(reply: CannedReplyDoc) {
  return { id: String(reply._id), shortcut: reply.shortcut, text: reply.text, shared: !reply.ownerId };
}
