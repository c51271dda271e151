import { route, ctxOf, type RouteSpec } from '../define.js';
import { cannedReplySchema, channelSchema, startChatApiSchema } from '../schemas/chat.schema.js';
import { addCannedReply, createChannel, deleteCannedReply, getChannel, listCannedReplies, listChannels, updateChannel } from '../../services/chat/channels.js';
import { startAnonymousVisitor } from '../../services/chat/visitors.js';
import { clientIp } from '../../middlewares/auth.js';
import { presentCannedReply, presentChannel } from '../../presenters/chat-channel.js';

export const chatApiRoutes: RouteSpec[] = [
  route({
    method: 'post',
    path: '/chat/channels/:key/visitors',
    access: { public: true },
    handler: async (req, res) => {
      const { deviceToken, ...input } = startChatApiSchema.parse(req.body ?? {});
      const started = await startAnonymousVisitor(String(req.params.key), input, { address: clientIp(req), deviceToken });
      res.status(201).json({ token: started.token, visitorId: String(started.visitor._id), deviceToken: started.deviceToken });
    },
  }),
  route({
    method: 'get',
    path: '/chat/channels',
    access: { permission: 'chat.serve' },
    handler: async (req, res) => res.json({ items: (await listChannels(ctxOf(req))).map((c) => presentChannel(c)) }),
  }),
  route({
    method: 'post',
    path: '/chat/channels',
    access: { permission: 'chat.manage' },
    handler: async (req, res) => res.status(201).json(presentChannel(await createChannel(ctxOf(req), channelSchema.parse({ routing: 'least_busy', routeByStore: true, active: true, businessStart: '09:00', businessEnd: '21:00', ...(req.body as object) })))),
  }),
  route({
    method: 'patch',
    path: '/chat/channels/:id',
    access: { permission: 'chat.manage' },
    handler: async (req, res) => {
      const ctx = ctxOf(req);
      const current = presentChannel(await getChannel(ctx, String(req.params.id)));
      res.json(presentChannel(await updateChannel(ctx, current.id, channelSchema.parse({ ...current, ...(req.body as object) }))));
    },
  }),
  route({
    method: 'get',
    path: '/chat/canned-replies',
    access: { permission: 'chat.serve' },
    handler: async (req, res) => res.json({ items: (await listCannedReplies(ctxOf(req))).map(presentCannedReply) }),
  }),
  route({
    method: 'post',
    path: '/chat/canned-replies',
    access: { permission: 'chat.serve' },
    handler: async (req, res) => res.status(201).json(presentCannedReply(await addCannedReply(ctxOf(req), cannedReplySchema.parse(req.body ?? {})))),
  }),
  route({
    method: 'delete',
    path: '/chat/canned-replies/:id',
    access: { permission: 'chat.serve' },
    handler: async (req, res) => {
      await deleteCannedReply(ctxOf(req), String(req.params.id));
      res.status(204).end();
    },
  }),
];
