import { endpoint } from '../../http/endpoint.js';
import { CHAT_COOKIE, DEVICE_COOKIE, chatCookies, idParams, keyAndIdParams, keyParams, startChatApiSchema, startChatSchema } from './chat.schema.js';
import { pictureUpload } from '../media/media.schema.js';
import { startAnonymousVisitor } from '../../services/chat/visitors.js';
import { chatPage, chatPagePictureTaker, forgetChatPageVisitor, openAgentChatImage, openChatPageImage } from '../../services/chat/chat-page.js';
import { storeAgentImage } from '../../services/chat/agent-chat.js';

/**
 * The public chat page (`/c/:key`: anyone with the link; the visitor is known by her cookie), the API's start of a
 * chat, and the pictures agents send.
 */

export const showChatPage = endpoint({
  access: 'public',
  input: { params: keyParams, cookies: chatCookies },
  run: (_ctx, { params, cookies }) => chatPage(params.key, cookies[CHAT_COOKIE]),
});

/** The start form; the device's token is counted with the address (see startAnonymousVisitor). */
export const startChat = endpoint({
  access: 'public',
  input: { params: keyParams, cookies: chatCookies, body: startChatSchema },
  run: (_ctx, { params, cookies, body }, { ip }) => startAnonymousVisitor(params.key, body, { address: ip, deviceToken: cookies[DEVICE_COOKIE] }),
});

/** An app keeps the device token it was given and sends it with its next start. */
export const startChatApi = endpoint({
  access: 'public',
  input: { params: keyParams, body: startChatApiSchema },
  run: (_ctx, { params, body: { deviceToken, ...input } }, { ip }) => startAnonymousVisitor(params.key, input, { address: ip, deviceToken }),
});

export const chatPageImage = endpoint({
  access: 'public',
  input: { params: keyAndIdParams, cookies: chatCookies },
  run: (_ctx, { params, cookies }) => openChatPageImage(params.key, cookies[CHAT_COOKIE], params.id),
});

export const forgetDevice = endpoint({
  access: 'public',
  input: { params: keyParams, cookies: chatCookies },
  run: (_ctx, { params, cookies }) => forgetChatPageVisitor(params.key, cookies[CHAT_COOKIE]),
});

const serve = { permission: 'chat.serve' } as const;

export const uploadAgentImage = endpoint({ access: serve, input: { body: pictureUpload }, run: (ctx, { body }) => storeAgentImage(ctx, body.file) });

export const agentImage = endpoint({ access: serve, input: { params: idParams }, run: (ctx, { params }) => openAgentChatImage(ctx, params.id) });

/** A picture the chat page uploads: the visitor this browser's cookie names takes it. */
export const chatPagePicture = endpoint({
  access: 'public',
  input: { params: keyParams, cookies: chatCookies },
  run: (_ctx, { params, cookies }) => chatPagePictureTaker(params.key, cookies[CHAT_COOKIE]),
});
