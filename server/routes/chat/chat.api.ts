import type { RouteSpec } from '../../http/gate.js';
import { api } from '../../http/surfaces.js';
import { presentCannedReply, presentChannel } from '../../presenters/chat-channel.js';
import * as chat from './chat.endpoints.js';
import * as channels from './channels.endpoints.js';

/** /api/v1/chat: a visitor's start (public), channels and canned replies. */
export const chatApiRoutes: RouteSpec[] = [
  api.post('/chat/channels/:key/visitors', chat.startChatApi, {
    status: 201,
    present: (started) => ({ token: started.token, visitorId: String(started.visitor._id), deviceToken: started.deviceToken }),
  }),
  api.get('/chat/channels', channels.channelList, { present: (list) => ({ items: list.map((c) => presentChannel(c)) }) }),
  api.post('/chat/channels', channels.addChannelApi, { status: 201, present: (channel) => presentChannel(channel) }),
  api.patch('/chat/channels/:id', channels.patchChannelApi, { present: (channel) => presentChannel(channel) }),
  api.get('/chat/canned-replies', channels.cannedReplies, { present: (replies) => ({ items: replies.map(presentCannedReply) }) }),
  api.post('/chat/canned-replies', channels.addCanned, { status: 201, present: presentCannedReply }),
  api.delete('/chat/canned-replies/:id', channels.deleteCanned, { status: 204 }),
];
