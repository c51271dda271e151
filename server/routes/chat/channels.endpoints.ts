import { endpoint } from '../../http/endpoint.js';
import { cannedReplySchema, channelPatchSchema, channelSchema, idParams, newChannelApiSchema, patchedChannel } from './chat.schema.js';
import { addCannedReply, createChannel, deleteCannedReply, getChannel, listCannedReplies, listChannels, updateChannel } from '../../services/chat/channels.js';
import { patchChannel } from '../../services/chat/channel-edits.js';
import { listStoreChoices } from '../../services/org/stores.js';

/** Chat channels (the addresses customers write to) and canned replies, for the admin pages and the API. */

const manage = { permission: 'chat.manage' } as const;
const serve = { permission: 'chat.serve' } as const;

/** Agents list channels too (the API): only an admin changes them. */
export const channelList = endpoint({ access: serve, run: (ctx) => listChannels(ctx) });
export const channelListPage = endpoint({ access: manage, run: (ctx) => listChannels(ctx) });

/** The stores a new channel may belong to. */
export const newChannelForm = endpoint({ access: manage, run: (ctx) => listStoreChoices(ctx) });

export const addChannelForm = endpoint({ access: manage, input: { body: channelSchema }, run: (ctx, { body }) => createChannel(ctx, body) });
export const addChannelApi = endpoint({ access: manage, input: { body: newChannelApiSchema }, run: (ctx, { body }) => createChannel(ctx, body) });

export const editChannelForm = endpoint({ access: manage, input: { params: idParams }, run: (ctx, { params }) => getChannel(ctx, params.id) });

export const updateChannelForm = endpoint({
  access: manage,
  input: { params: idParams, body: channelSchema },
  run: (ctx, { params, body }) => updateChannel(ctx, params.id, body),
});

export const patchChannelApi = endpoint({
  access: manage,
  input: { params: idParams, body: channelPatchSchema },
  run: (ctx, { params, body }) => patchChannel(ctx, params.id, (current) => patchedChannel(current, body)),
});

export const cannedReplies = endpoint({ access: serve, run: (ctx) => listCannedReplies(ctx) });

export const addCanned = endpoint({ access: serve, input: { body: cannedReplySchema }, run: (ctx, { body }) => addCannedReply(ctx, body) });

export const deleteCanned = endpoint({ access: serve, input: { params: idParams }, run: (ctx, { params }) => deleteCannedReply(ctx, params.id) });
