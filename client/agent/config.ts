// What the console page hands its script (views/pages/consoles/agent.hbs: console-config and console-strings).
import { readJson } from '../shared/dom.js';
import { translator, type Strings } from './text.js';
import type { Viewer } from './state.js';
import type { CannedReply, Placeholder } from './canned-match.js';

export type ConsoleConfig = Viewer & {
  locale: string;
  timezone: string;
  replyWindowHours: number;
  replyWindowMessages: number;
  maxSessions: number;
  messageMax: number;
  imageMaxBytes: number;
  imageTypes: string[];
  agents?: { id: string; name: string }[];
  canned?: CannedReply[];
  placeholders?: Placeholder[];
  myStore?: string;
};

export const config = readJson<ConsoleConfig>('console-config');
export const t = translator(readJson<Strings>('console-strings'));
export const agentNames = new Map((config.agents ?? []).map((a) => [a.id, a.name]));
