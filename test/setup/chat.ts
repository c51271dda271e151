import { io as connectSocket, type Socket } from 'socket.io-client';
import type { Types } from 'mongoose';
import { ChatChannel } from '../../server/models/chat-channel.js';
import { startVisitor } from '../../server/services/chat/visitors.js';
import { signIn, sessionCookieOf } from './app.js';
import { PASSWORD } from '../factories.js';
import crypto from 'node:crypto';

export type AckResult<T = Record<string, unknown>> =
  { ok: true; data: T } | { ok: false; error: { code: string; message: string; localizedMessage: string; details?: unknown } };

/** Emits a request and resolves with its acknowledgement. */
export function request<T = Record<string, unknown>>(socket: Socket, event: string, payload: unknown = {}): Promise<AckResult<T>> {
  return new Promise((resolve) => socket.emit(event, payload, (ack: AckResult<T>) => resolve(ack)));
}

/** Resolves with the data of a successful request, or fails the test with the error. */
export async function ok<T = Record<string, unknown>>(socket: Socket, event: string, payload: unknown = {}): Promise<T> {
  const ack = await request<T>(socket, event, payload);
  if (!ack.ok) throw new Error(`${event} failed: ${ack.error.code} ${ack.error.message}`);
  return ack.data;
}

export function nextEvent<T>(socket: Socket, event: string, match: (payload: T) => boolean = () => true, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, handler);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const handler = (payload: T) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      socket.off(event, handler);
      resolve(payload);
    };
    socket.on(event, handler);
  });
}

export async function createChannel(
  orgId: Types.ObjectId,
  fields: Partial<{
    routing: 'manual' | 'round_robin' | 'least_busy';
    storeId: Types.ObjectId | null;
    keywordAnswers: { keyword: string; answer: string }[];
    welcomeMessage: string;
  }> = {},
) {
  return ChatChannel.create({
    orgId,
    key: crypto.randomBytes(9).toString('base64url'),
    name: `渠道 ${crypto.randomBytes(2).toString('hex')}`,
    routing: 'least_busy',
    welcomeMessage: '您好，欢迎咨询！',
    ...fields,
  });
}

/** Tests that cut connections on purpose reconnect fast instead of the browser default of about a second. */
const fastReconnect = { reconnectionDelay: 20, reconnectionDelayMax: 100 };

export async function connectCustomer(baseUrl: string, channelKey: string, visitor: { name: string; phone?: string } = { name: '访客' }) {
  const started = await startVisitor(channelKey, { name: visitor.name, phone: visitor.phone ?? '' });
  const socket = connectSocket(`${baseUrl}/customer`, { auth: { token: started.token }, transports: ['websocket'], forceNew: true, ...fastReconnect });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return { socket, token: started.token, visitorId: String(started.visitor._id) };
}

export async function connectAgent(baseUrl: string, login: string) {
  const agent = await signIn(baseUrl, login, PASSWORD);
  const socket = connectSocket(baseUrl, { extraHeaders: { cookie: sessionCookieOf(agent) }, transports: ['websocket'], forceNew: true, ...fastReconnect });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return { socket, http: agent };
}
