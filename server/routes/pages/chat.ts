import type { Request, Response } from 'express';
import { route, ctxOf, type RouteSpec } from '../define.js';
import { withPictureBody } from '../picture-uploads.js';
import { openChatImage, openChatImageForVisitor, storeChatImage } from '../../services/chat/images.js';
import { imageInReach, storeAgentImage } from '../../services/chat/agent-chat.js';
import { countUpload } from '../../services/chat/public-limits.js';
import { clientIp } from '../../middlewares/auth.js';
import { NotFoundError, UnauthenticatedError } from '../../errors.js';
import { sendImage } from '../send-image.js';
import { handleForm } from '../forms.js';
import { tr } from '../translate.js';
import { startChatSchema } from '../schemas/chat.schema.js';
import { channelByKey, forgetVisitorDevice, startAnonymousVisitor, visitorFromToken } from '../../services/chat/visitors.js';
import { chatLimits } from '../../services/settings/org-settings.js';
import { toAppError } from '../../middlewares/errors.js';
import { i18n } from '../../i18n/index.js';

const COOKIE = 'sl_chat';
/** The device's token, counted with the address when it starts a chat (see startAnonymousVisitor). */
const DEVICE_COOKIE = 'sl_chat_device';

/** The visitor token lives in an HTTP-only cookie scoped to the channel's page; the page hands it to its own script. */
function cookieOptions(req: Request, key: string) {
  return { httpOnly: true, sameSite: 'lax' as const, secure: req.secure, path: `/c/${key}`, maxAge: chatLimits.visitorTokenDays * 86_400_000 };
}

async function rememberedVisitor(req: Request, channelId: string) {
  const token = (req.cookies as Record<string, string | undefined>)[COOKIE];
  if (!token) return null;
  try {
    const { visitor } = await visitorFromToken(token);
    return String(visitor.channelId) === channelId ? { token, visitor } : null;
  } catch (err) {
    if (toAppError(err)) return null;
    throw err;
  }
}

async function startModel(req: Request) {
  const channel = await channelByKey(String(req.params.key));
  return { title: channel.name, channelName: channel.name, action: `/c/${channel.key}/start`, layout: 'bare' };
}

export const chatPageRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/c/:key',
    access: { public: true },
    handler: async (req: Request, res: Response) => {
      const channel = await channelByKey(String(req.params.key));
      const remembered = await rememberedVisitor(req, String(channel._id));
      if (!remembered) return res.render('pages/chat/start', await startModel(req));
      res.setHeader('Cache-Control', 'no-store');
      res.render('pages/chat/customer', {
        layout: 'bare',
        title: channel.name,
        channelName: channel.name,
        visitorName: remembered.visitor.name,
        // The welcome a session starts with, shown before the first message too (escaped by the view).
        welcome: channel.welcomeMessage || tr(req, 'chat.customer.defaultWelcome', { name: channel.name }),
        forgetAction: `/c/${channel.key}/forget`,
        config: { token: remembered.token, lang: req.locale === 'en' ? 'en' : 'zh-CN', maxLength: chatLimits.messageMax, imageMaxBytes: chatLimits.imageMaxBytes, imageTypes: chatLimits.imageTypes, imageBase: `/c/${channel.key}/images/`, uploadUrl: `/c/${channel.key}/images` },
        strings: i18n.t('chat.client', { lng: req.locale, returnObjects: true }),
      });
    },
  }),
  route({
    method: 'post',
    path: '/c/:key/start',
    access: { public: true },
    handler: (req, res) =>
      handleForm(req, res, {
        schema: startChatSchema,
        view: 'pages/chat/start',
        model: () => startModel(req),
        onValid: async (input) => {
          const cookies = req.cookies as Record<string, string | undefined>;
          const { token, channel, deviceToken } = await startAnonymousVisitor(String(req.params.key), input, { address: clientIp(req), deviceToken: cookies[DEVICE_COOKIE] });
          res.cookie(COOKIE, token, cookieOptions(req, channel.key));
          // The device, for every channel's page: "not me" forgets the visitor, not the device's count of starts.
          res.cookie(DEVICE_COOKIE, deviceToken, { ...cookieOptions(req, channel.key), path: '/c' });
          return `/c/${channel.key}`;
        },
      }),
  }),
  route({
    method: 'post',
    path: '/c/:key/images',
    access: { public: true },
    handler: async (req, res) => {
      const channel = await channelByKey(String(req.params.key));
      const remembered = await rememberedVisitor(req, String(channel._id));
      if (!remembered) throw new UnauthenticatedError('Start the chat first.', { messageKey: 'chat.errors.invalidToken' });
      const { ctx } = await visitorFromToken(remembered.token);
      const address = clientIp(req);
      // The hour's allowance is counted once the upload has a slot: an upload refused at the door spends none of it.
      const image = await withPictureBody(req, { uploader: { address }, maxBytes: chatLimits.imageMaxBytes, admit: () => countUpload(address) }, (file) => storeChatImage(ctx, file));
      res.status(201).json({ imageId: String(image.fileId), mime: image.mime, size: image.size });
    },
  }),
  route({
    method: 'get',
    path: '/c/:key/images/:id',
    access: { public: true },
    handler: async (req, res) => {
      const channel = await channelByKey(String(req.params.key));
      const remembered = await rememberedVisitor(req, String(channel._id));
      if (!remembered) throw new NotFoundError('No such image');
      await sendImage(req, res, await openChatImageForVisitor(String(channel.orgId), String(req.params.id), String(remembered.visitor._id)));
    },
  }),
  route({
    method: 'post',
    path: '/chat/images',
    access: { permission: 'chat.serve' },
    // The picture's bytes as the body (its type in Content-Type), CSRF in the X-CSRF-Token header, as on the customer's side.
    handler: async (req, res) => {
      const ctx = ctxOf(req);
      const image = await withPictureBody(req, { uploader: { staffId: ctx.actor.id }, maxBytes: chatLimits.imageMaxBytes }, (file) => storeAgentImage(ctx, file));
      res.status(201).json({ imageId: String(image.fileId), mime: image.mime, size: image.size });
    },
  }),
  route({
    method: 'get',
    path: '/chat/images/:id',
    access: { permission: 'chat.serve' },
    handler: async (req, res) => {
      const ctx = ctxOf(req);
      await imageInReach(ctx, String(req.params.id));
      await sendImage(req, res, await openChatImage(ctx.orgId, String(req.params.id)));
    },
  }),
  route({
    method: 'post',
    path: '/c/:key/forget',
    access: { public: true },
    handler: async (req, res) => {
      const channel = await channelByKey(String(req.params.key));
      await forgetVisitorDevice(channel, (req.cookies as Record<string, string | undefined>)[COOKIE]);
      res.clearCookie(COOKIE, { path: `/c/${channel.key}` });
      res.redirect(303, `/c/${channel.key}`);
    },
  }),
];

