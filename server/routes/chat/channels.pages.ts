import type { RouteSpec } from '../../http/gate.js';
import { form, page } from '../../http/surfaces.js';
import * as channels from './channels.endpoints.js';
import {
  cannedModel,
  channelFormModel,
  channelListModel,
  editChannelModel,
  loadCannedModel,
  loadChannelFormModel,
  newChannelValues,
  postedChannelValues,
} from './channels.view.js';

/** Channel admin and canned replies. `/admin/channels/new` comes before `/admin/channels/:id` (Express matches in order). */
export const chatAdminPageRoutes: RouteSpec[] = [
  page.get('/admin/channels', channels.channelListPage, { view: 'pages/chat/channels', model: (list, { origin, t }) => channelListModel(list, origin, t) }),
  page.get('/admin/channels/new', channels.newChannelForm, {
    view: 'pages/chat/channel-form',
    model: (stores, { t }) => ({ ...channelFormModel(stores, t('chatChannels.new'), '/admin/channels'), values: newChannelValues() }),
  }),
  form.post('/admin/channels', channels.addChannelForm, {
    view: 'pages/chat/channel-form',
    values: postedChannelValues,
    model: ({ ctx, t }) => loadChannelFormModel(ctx, t('chatChannels.new'), '/admin/channels'),
    flash: 'chatChannels.created',
    redirect: '/admin/channels',
  }),
  page.get('/admin/channels/:id', channels.editChannelForm, {
    view: 'pages/chat/channel-form',
    model: (channel, { ctx, t }) => editChannelModel(channel, ctx, t),
  }),
  form.post('/admin/channels/:id', channels.updateChannelForm, {
    view: 'pages/chat/channel-form',
    values: postedChannelValues,
    model: ({ ctx, params, t }) => loadChannelFormModel(ctx, t('chatChannels.edit'), `/admin/channels/${params.id}`),
    flash: 'chatChannels.saved',
    redirect: '/admin/channels',
  }),
  page.get('/chat/canned', channels.cannedReplies, {
    view: 'pages/chat/canned',
    model: (replies, { ctx, t }) => ({ ...cannedModel(replies, ctx, t), values: {} }),
  }),
  form.post('/chat/canned', channels.addCanned, {
    view: 'pages/chat/canned',
    model: ({ ctx, t }) => loadCannedModel(ctx, t),
    flash: 'cannedReplies.added',
    redirect: '/chat/canned',
  }),
  form.post('/chat/canned/:id/delete', channels.deleteCanned, { flash: 'cannedReplies.deleted', redirect: '/chat/canned' }),
];
