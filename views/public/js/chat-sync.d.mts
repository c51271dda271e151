export type ChatMessage = { id: string; sessionId: string; seq: number; clientId: string; sender: string; agentId: string | null; text: string; image: { id: string; mime: string; size: number } | null; internal: boolean; createdAt: string };
export declare function newClientId(): string;
export declare class ChatSync {
  constructor(options: { socket: unknown; side: 'customer' | 'agent'; onChange?: (sessionId: string) => void; onError?: (error: unknown, pending: unknown) => void });
  track(sessionId: string, fromSeq?: number): void;
  untrack(sessionId: string): void;
  insert(messages: ChatMessage[]): void;
  messagesOf(sessionId: string): ChatMessage[];
  lastSeq(sessionId: string): number;
  sync(sessionId?: string): Promise<unknown>;
  resume(): Promise<void>;
  send(text: string, options?: { clientId?: string; sessionId?: string; internal?: boolean; imageId?: string }): Promise<{ message: ChatMessage; session: { id: string } }>;
  pending: Map<string, unknown>;
}
