import type { Request } from 'express';
import { qrCodeDataUrl } from '../../presenters/qr-code.js';
import { publicOrigin } from '../public-url.js';
import { route, ctxOf, type RouteSpec } from '../define.js';
import { fieldList, handleForm } from '../forms.js';
import { flash } from '../flash.js';
import { tr } from '../translate.js';
import { cannedReplySchema, channelSchema } from '../schemas/chat.schema.js';
import { addCannedReply, createChannel, deleteCannedReply, getChannel, listCannedReplies, listChannels, updateChannel } from '../../services/chat/channels.js';
import { listStoreChoices } from '../../services/org/stores.js';
import { channelFormValues, presentCannedReply, presentChannel } from '../../presenters/chat-channel.js';
import { routingModes } from '../../models/chat-channel.js';
import { can } from '../../policies/permissions.js';



async function channelFormModel(req: Request, titleKey: string) {
  const stores = await listStoreChoices(ctxOf(req));
  return {
    title: tr(req, titleKey),
    stores: stores.map((s) => ({ id: String(s._id), name: s.name })),
    routingModes,
    weekdays: [1, 2, 3, 4, 5, 6, 0],
  };
}

const defaults = { routing: 'least_busy', routeByStore: 'on', active: 'on', businessStart: '09:00', businessEnd: '21:00', businessDays: [] as string[] };

export const chatAdminPageRoutes: RouteSpec[] = [
  route({
    method: 'get',
    path: '/admin/channels',
    access: { permission: 'chat.manage' },
    handler: async (req, res) => {
      const channels = (await listChannels(ctxOf(req))).map((c) => presentChannel(c, publicOrigin(req)));
      const withCodes = await Promise.all(channels.map(async (c) => ({ ...c, qr: await qrCodeDataUrl(c.url) })));
      res.render('pages/chat/channels', { title: tr(req, 'chatChannels.title'), channels: withCodes });
    },
  }),
  route({
    method: 'get',
    path: '/admin/channels/new',
    access: { permission: 'chat.manage' },
    handler: async (req, res) => res.render('pages/chat/channel-form', { ...(await channelFormModel(req, 'chatChannels.new')), action: '/admin/channels', values: defaults }),
  }),
  route({
    method: 'post',
    path: '/admin/channels',
    access: { permission: 'chat.manage' },
    handler: (req, res) =>
      handleForm(req, res, {
        schema: channelSchema,
        view: 'pages/chat/channel-form',
        model: async () => ({ ...(await channelFormModel(req, 'chatChannels.new')), action: '/admin/channels' }),
        formValues: (body) => ({ businessDays: fieldList(body.businessDays) }),
        onValid: async (input) => {
          await createChannel(ctxOf(req), input);
          flash(req, 'success', 'chatChannels.created');
          return '/admin/channels';
        },
      }),
  }),
  route({
    method: 'get',
    path: '/admin/channels/:id',
    access: { permission: 'chat.manage' },
    handler: async (req, res) => {
      const channel = presentChannel(await getChannel(ctxOf(req), String(req.params.id)));
      res.render('pages/chat/channel-form', { ...(await channelFormModel(req, 'chatChannels.edit')), action: `/admin/channels/${channel.id}`, values: { ...channelFormValues(channel), businessDays: channel.businessDays.map(String) } });
    },
  }),
  route({
    method: 'post',
    path: '/admin/channels/:id',
    access: { permission: 'chat.manage' },
    handler: (req, res) =>
      handleForm(req, res, {
        schema: channelSchema,
        view: 'pages/chat/channel-form',
        model: async () => ({ ...(await channelFormModel(req, 'chatChannels.edit')), action: `/admin/channels/${String(req.params.id)}` }),
        formValues: (body) => ({ businessDays: fieldList(body.businessDays) }),
        onValid: async (input) => {
          await updateChannel(ctxOf(req), String(req.params.id), input);
          flash(req, 'success', 'chatChannels.saved');
          return '/admin/channels';
        },
      }),
  }),
  route({
    method: 'get',
    path: '/chat/canned',
    access: { permission: 'chat.serve' },
    handler: async (req, res) => {
      const ctx = ctxOf(req);
      res.render('pages/chat/canned', { title: tr(req, 'cannedReplies.title'), replies: (await listCannedReplies(ctx)).map(presentCannedReply), canShare: can(ctx.actor, 'chat.manage'), values: {} });
    },
  }),
  route({
    method: 'post',
    path: '/chat/canned',
    access: { permission: 'chat.serve' },
    handler: (req, res) =>
      handleForm(req, res, {
        schema: cannedReplySchema,
        view: 'pages/chat/canned',
        model: async () => {
          const ctx = ctxOf(req);
          return { title: tr(req, 'cannedReplies.title'), replies: (await listCannedReplies(ctx)).map(presentCannedReply), canShare: can(ctx.actor, 'chat.manage') };
        },
        onValid: async (input) => {
          await addCannedReply(ctxOf(req), input);
          flash(req, 'success', 'cannedReplies.added');
          return '/chat/canned';
        },
      }),
  }),
  route({
    method: 'post',
    path: '/chat/canned/:id/delete',
    access: { permission: 'chat.serve' },
    handler: async (req, res) => {
      await deleteCannedReply(ctxOf(req), String(req.params.id));
      flash(req, 'success', 'cannedReplies.deleted');
      res.redirect(303, '/chat/canned');
    },
  }),
];
