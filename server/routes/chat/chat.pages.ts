import type { RouteSpec } from '../../http/gate.js';
import { form, page } from '../../http/surfaces.js';
import { image, receive, upload } from '../../http/file-surfaces.js';
import { anonymousPicture } from '../../http/picture-taker.js';
import { countUpload } from '../../services/chat/public-limits.js';
import { chatLimits } from '../../domain/settings.js';
import * as chat from './chat.endpoints.js';
import { chatPageHeaders, chatPageModel, chatPageView, forgetVisitor, imagePayload, loadStartModel, rememberVisitor } from './chat.view.js';

/** The public chat page (`/c/:key`) and the pictures of conversations, the customer's and the agents'. */
export const chatPageRoutes: RouteSpec[] = [
  page.get('/c/:key', chat.showChatPage, { view: chatPageView, effects: chatPageHeaders, model: (result, { t, locale }) => chatPageModel(result, t, locale) }),
  form.post('/c/:key/start', chat.startChat, {
    view: 'pages/chat/start',
    model: ({ params }) => loadStartModel(params.key),
    effects: rememberVisitor,
    redirect: ({ channel }) => `/c/${channel.key}`,
  }),
  anonymousPicture.post('/c/:key/images', chat.chatPagePicture, { maxBytes: chatLimits.imageMaxBytes, admit: countUpload, present: imagePayload }),
  image.get('/c/:key/images/:id', chat.chatPageImage),
  // The picture's bytes as the body (its type in Content-Type), CSRF in the X-CSRF-Token header, as on the customer's side.
  upload.api('/chat/images', chat.uploadAgentImage, { receive: receive.picture(chatLimits.imageMaxBytes), status: 201, present: imagePayload }),
  image.get('/chat/images/:id', chat.agentImage),
  form.post('/c/:key/forget', chat.forgetDevice, { effects: forgetVisitor, redirect: (channel) => `/c/${channel.key}` }),
];
