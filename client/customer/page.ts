// What the chat page hands its script (views/pages/chat/customer.hbs: chat-config and chat-strings), and its state.
import { $, readJson } from '../shared/dom.js';
import { createState, type StatusStrings } from './state.js';

export type ChatConfig = { token: string; lang: string; maxLength: number; imageMaxBytes: number; imageTypes: string[]; imageBase: string; uploadUrl: string };
export type ChatStrings = StatusStrings &
  Record<'image' | 'sending' | 'read' | 'introOnline' | 'introOffline' | 'imageType' | 'imageTooLarge' | 'uploadBusy' | 'chooseScore' | 'thanks', string>;

export const config = readJson<ChatConfig>('chat-config');
export const strings = readJson<ChatStrings>('chat-strings');
export const state = createState();

export function showNotice(text: string): void {
  const notice = $('chat-notice');
  notice.textContent = text;
  notice.classList.toggle('d-none', !text);
}
