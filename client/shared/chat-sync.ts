// The client half of the delivery guarantee (docs/realtime.md, "Reconnecting without loss"), shared by the customer
// page, the agent console and the tests: messages kept per session in seq order, each once; every send keeps its
// clientId until acknowledged and is sent again after a reconnect; a gap in the pushes triggers a sync.
import type { Ack, AckError, ChatMessage, SyncSocket } from './protocol.js';

export type Side = 'customer' | 'agent';

const SIDES = {
  customer: { send: 'message:send', sync: 'sync', push: 'message', unwrap: (payload: unknown) => payload as ChatMessage | undefined },
  agent: {
    send: 'chat:send',
    sync: 'chat:sync',
    push: 'chat:message',
    unwrap: (payload: unknown) => (payload as { message?: ChatMessage } | undefined)?.message,
  },
} as const;

/** The most messages one sync answers with (the server's page); a full page means more may follow. */
const SYNC_PAGE = 500;

/**
 * Errors worth sending again with the same clientId (the server stores it once, or acknowledges the stored one):
 * the database unreachable or too slow (the message may even be stored already), a passing failure, a rate limit.
 * Anything else is final.
 */
const RETRYABLE = new Set(['internal', 'rate_limited', 'database_unavailable', 'timeout']);

/**
 * How long to wait for an acknowledgement: the server answers every request within its time limit (10 s by default),
 * so an answer that has not come a few seconds after that will not come on this connection.
 */
const ACK_WAIT_MS = 15_000;

export type SendOptions = { clientId?: string; sessionId?: string; internal?: boolean; imageId?: string };
export type Sent = { message: ChatMessage; session: { id: string } & Record<string, unknown> };
export type SyncAnswer = { session?: { id: string; seq?: number } & Record<string, unknown>; messages: ChatMessage[] };
export type PendingSend = {
  clientId: string;
  sessionId?: string;
  text: string;
  imageId?: string;
  internal: boolean;
  resolve: (sent: Sent) => void;
  reject: (error: Error) => void;
};
/** A final refusal of a send, as its promise rejects with it. */
export type SendError = Error & { code: string; error: AckError };

let counter = 0;
export function newClientId(): string {
  counter += 1;
  const random = globalThis.crypto?.randomUUID ? globalThis.crypto.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  return `${random}-${counter}`;
}

export class ChatSync {
  readonly socket: SyncSocket;
  private readonly side: (typeof SIDES)[Side];
  private readonly sideName: Side;
  private readonly onChange: (sessionId: string) => void;
  private readonly onError: (error: AckError, pending: PendingSend) => void;
  private readonly sessions = new Map<string, Map<number, ChatMessage>>();
  /** Sends not yet acknowledged, by clientId. */
  readonly pending = new Map<string, PendingSend>();
  private readonly syncing = new Map<string | undefined, Promise<Ack<SyncAnswer> | null>>();
  private readonly tracked = new Set<string>();
  /** Per session, the seq just before the first one this client holds (a long session opened at its latest messages). */
  private readonly floors = new Map<string, number>();

  constructor({
    socket,
    side,
    onChange,
    onError,
  }: {
    socket: SyncSocket;
    side: Side;
    onChange?: (sessionId: string) => void;
    onError?: (error: AckError, pending: PendingSend) => void;
  }) {
    this.socket = socket;
    this.side = SIDES[side];
    this.sideName = side;
    this.onChange = onChange ?? (() => {});
    this.onError = onError ?? (() => {});
    socket.on('connect', () => void this.resume());
    socket.on(this.side.push, (payload: unknown) => this.receive(this.side.unwrap(payload)));
  }

  /**
   * Follow a session: its messages are kept and synced on every reconnect. `fromSeq` is the first seq this client
   * will hold when it opened the session at its latest messages rather than at the start.
   */
  track(sessionId: string | undefined | null, fromSeq?: number): void {
    if (!sessionId) return;
    this.tracked.add(sessionId);
    if (!this.sessions.has(sessionId)) this.sessions.set(sessionId, new Map());
    if (fromSeq !== undefined && !this.floors.has(sessionId)) this.floors.set(sessionId, Math.max(0, fromSeq - 1));
  }

  /** Stop following a session and drop what is held of it. */
  untrack(sessionId: string): void {
    this.tracked.delete(sessionId);
    this.sessions.delete(sessionId);
    this.floors.delete(sessionId);
  }

  /** The messages held for a session, in seq order. */
  messagesOf(sessionId: string): ChatMessage[] {
    return [...(this.sessions.get(sessionId)?.values() ?? [])].sort((a, b) => a.seq - b.seq);
  }

  lastSeq(sessionId: string): number {
    const held = this.sessions.get(sessionId);
    const floor = this.floors.get(sessionId) ?? 0;
    if (!held || held.size === 0) return floor;
    // The highest seq with every seq below it held (from the floor): a gap is fetched, not skipped.
    let seq = floor;
    while (held.has(seq + 1)) seq += 1;
    return seq;
  }

  /** Adds messages (from an ack, a push or a sync); a seq already held is ignored, so nothing shows twice. */
  insert(messages: ChatMessage[]): void {
    const touched = new Set<string>();
    for (const message of messages) {
      this.track(message.sessionId);
      const held = this.sessions.get(message.sessionId)!;
      if (!held.has(message.seq)) {
        held.set(message.seq, message);
        touched.add(message.sessionId);
      }
    }
    for (const sessionId of touched) this.onChange(sessionId);
  }

  receive(message: ChatMessage | undefined | null): void {
    if (!message) return;
    const before = this.lastSeq(message.sessionId);
    this.insert([message]);
    if (message.seq > before + 1) void this.sync(message.sessionId);
  }

  /** Fetches what this side missed in a session (one sync at a time per session). */
  async sync(sessionId?: string): Promise<Ack<SyncAnswer> | null> {
    const running = this.syncing.get(sessionId);
    if (running) return running;
    const run = (async () => {
      const payload =
        this.sideName === 'agent'
          ? { sessionId, afterSeq: this.lastSeq(sessionId!) }
          : { ...(sessionId ? { sessionId } : {}), afterSeq: sessionId ? this.lastSeq(sessionId) : 0 };
      const ack = await this.request<SyncAnswer>(this.side.sync, payload);
      if (ack?.ok) {
        const session = ack.data.session;
        if (session) {
          this.track(session.id);
          // Every number up to the session's counter is now held (each side numbers without gaps; a message erased
          // meanwhile would leave one, which must not make every later push sync again).
          // (Only when the answer was complete: a sync returns at most SYNC_PAGE messages.)
          if (typeof session.seq === 'number' && ack.data.messages.length < SYNC_PAGE)
            this.floors.set(session.id, Math.max(this.floors.get(session.id) ?? 0, session.seq));
        }
        this.insert(ack.data.messages);
        if (ack.data.messages.length >= SYNC_PAGE) setTimeout(() => void this.sync(sessionId), 0);
      }
      return ack;
    })();
    this.syncing.set(sessionId, run);
    try {
      return await run;
    } finally {
      this.syncing.delete(sessionId);
    }
  }

  /** After every (re)connect: catch up on every followed session, then send again what was never acknowledged. */
  async resume(): Promise<void> {
    const sessions: (string | undefined)[] = this.tracked.size ? [...this.tracked] : this.sideName === 'customer' ? [undefined] : [];
    for (const sessionId of sessions) await this.sync(sessionId);
    for (const item of this.pending.values()) this.emitSend(item);
  }

  private request<T>(event: string, payload: unknown): Promise<Ack<T> | null> {
    return new Promise((resolve) => {
      if (!this.socket.connected) return resolve(null);
      this.socket.timeout(ACK_WAIT_MS).emit(event, payload, (err: unknown, ack: Ack<T>) => resolve(err ? null : ack));
    });
  }

  /** Sends a message; resolves with the stored message once acknowledged (after reconnects if need be). */
  send(text: string, options: SendOptions = {}): Promise<Sent> {
    const clientId = options.clientId ?? newClientId();
    return new Promise((resolve, reject) => {
      const item: PendingSend = {
        clientId,
        text,
        imageId: options.imageId,
        sessionId: options.sessionId,
        internal: options.internal ?? false,
        resolve,
        reject,
      };
      this.pending.set(clientId, item);
      this.emitSend(item);
    });
  }

  private emitSend(item: PendingSend): void {
    if (!this.socket.connected) return; // resume() sends it again on connect
    const payload =
      this.sideName === 'agent'
        ? { sessionId: item.sessionId, clientId: item.clientId, text: item.text, internal: item.internal, ...(item.imageId ? { imageId: item.imageId } : {}) }
        : { clientId: item.clientId, text: item.text, ...(item.imageId ? { imageId: item.imageId } : {}) };
    this.socket.timeout(ACK_WAIT_MS).emit(this.side.send, payload, (err: unknown, ack: Ack<Sent> | undefined) => {
      if (!this.pending.has(item.clientId)) return;
      // No answer on a connection that still looks alive: the same message again (idempotent by its clientId); once
      // disconnected, the next connect sends it again.
      if (err || !ack) return void (this.socket.connected && this.emitSend(item));
      if (ack.ok) {
        this.pending.delete(item.clientId);
        this.receive(ack.data.message);
        item.resolve(ack.data);
      } else if (!RETRYABLE.has(ack.error.code)) {
        this.pending.delete(item.clientId);
        this.onError(ack.error, item);
        item.reject(Object.assign(new Error(ack.error.message), { code: ack.error.code, error: ack.error }));
      } else {
        this.onError(ack.error, item);
        const wait = Math.max(1, ack.error.details?.retryAfterSeconds ?? 1) * 1000;
        setTimeout(() => this.pending.has(item.clientId) && this.emitSend(item), wait);
      }
    });
  }
}
