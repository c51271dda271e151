import type { Response } from 'express';
import type { ChatChannelDoc, ChatVisitorDoc } from '../../models/chat-channel.js';
import type { StoredImage } from '../../services/chat/images.js';
import { channelByKey } from '../../services/chat/visitors.js';
import { chatLimits } from '../../domain/settings.js';
import { i18n } from '../../i18n/index.js';
import { CHAT_COOKIE, DEVICE_COOKIE } from './chat.schema.js';

/** The public chat page's models and cookies, and the answer to a picture uploaded for a conversation. */

type T = (key: string, params?: Record<string, unknown>) => string;
type ChatPage = { channel: ChatChannelDoc; remembered: { token: string; visitor: ChatVisitorDoc } | null };

export function startModel(channel: Pick<ChatChannelDoc, 'name' | 'key'>) {
  return { title: channel.name, channelName: channel.name, action: `/c/${channel.key}/start`, layout: 'bare' };
}

export async function loadStartModel(key: string) {
  return startModel(await channelByKey(key));
}

/** Someone this browser does not remember is asked her name first. */
export const chatPageView = (page: ChatPage) => (page.remembered ? 'pages/chat/customer' : 'pages/chat/start');

export function chatPageModel({ channel, remembered }: ChatPage, t: T, locale: string) {
  if (!remembered) return startModel(channel);
  return {
    layout: 'bare',
    title: channel.name,
    channelName: channel.name,
    visitorName: remembered.visitor.name,
    // The welcome a session starts with, shown before the first message too (escaped by the view).
    welcome: channel.welcomeMessage || t('chat.customer.defaultWelcome', { name: channel.name }),
    forgetAction: `/c/${channel.key}/forget`,
    config: {
      token: remembered.token,
      lang: locale === 'en' ? 'en' : 'zh-CN',
      maxLength: chatLimits.messageMax,
      imageMaxBytes: chatLimits.imageMaxBytes,
      imageTypes: chatLimits.imageTypes,
      imageBase: `/c/${channel.key}/images/`,
      uploadUrl: `/c/${channel.key}/images`,
    },
    strings: i18n.t('chat.client', { lng: locale, returnObjects: true }),
  };
}

export function imagePayload(image: StoredImage) {
  return { imageId: String(image.fileId), mime: image.mime, size: image.size };
}

// --- Cookies --------------------------------------------------------------------------------------------------------

/** The visitor token lives in an HTTP-only cookie scoped to the channel's page; the page hands it to its own script. */
function cookieOptions(secure: boolean, key: string) {
  return { httpOnly: true, sameSite: 'lax' as const, secure, path: `/c/${key}`, maxAge: chatLimits.visitorTokenDays * 86_400_000 };
}

/** The page of a remembered visitor holds her token: not for a shared cache. */
export function chatPageHeaders(page: ChatPage, _input: unknown, { res }: { res: Response }): void {
  if (page.remembered) res.setHeader('Cache-Control', 'no-store');
}

export function rememberVisitor(
  started: { token: string; channel: ChatChannelDoc; deviceToken: string },
  _input: unknown,
  { req, res }: { req: { secure: boolean }; res: Response },
): void {
  res.cookie(CHAT_COOKIE, started.token, cookieOptions(req.secure, started.channel.key));
  // The device, for every channel's page: "not me" forgets the visitor, not the device's count of starts.
  res.cookie(DEVICE_COOKIE, started.deviceToken, { ...cookieOptions(req.secure, started.channel.key), path: '/c' });
}

export function forgetVisitor(channel: ChatChannelDoc, _input: unknown, { res }: { res: Response }): void {
  res.clearCookie(CHAT_COOKIE, { path: `/c/${channel.key}` });
}
