import type { ChatMessageDoc, ChatSessionDoc } from '../models/chat-session.js';
import { EventEmitter } from 'node:events';
import { logger } from '../logger.js';
import type { ServiceContext } from './context.js';

/** Domain events, emitted by services after the database write; realtime and jobs listen. */
export type DomainEvents = {
  'staff.access_revoked': [{ orgId: string; staffId: string }];
  /** Roles, store or status changed: what the staff member may reach is different now (their open sockets end). */
  'staff.access_changed': [{ orgId: string; staffId: string }];
  /** What customers see on the staff member's card changed (title, phone, the choice to show it, store). */
  'staff.card_changed': [{ orgId: string; staffId: string }];
  /** One browser session signed out; `signInKey` names it without being the session id (see signInKeyOf). */
  'staff.signed_out': [{ orgId: string; staffId: string; signInKey: string }];
  /** Later capabilities (follow-ups, groups) move what belongs to the old owner with the customers. */
  'followups.digest_delivered': [{ orgId: string; staffId: string; date: string; counts: { today: number; overdue: number; upcoming: number } }];
  /** The daily follow-up schedule depends on these settings. */
  'org.settings_changed': [{ orgId: string; changed: string[] }];
  /**
   * A chat message was stored (pushed to the session's agents, and to the customer unless internal); agentId is the
   * session's agent. `servedSession`: the session as the message left it, for those serving it (a customer's message
   * reopens the reply window), told with the message instead of as a change of its own. `origin`: the connection the
   * message came over, which has it in its answer.
   */
  'chat.message': [
    {
      orgId: string;
      sessionId: string;
      visitorId: string;
      agentId: string | null;
      internal: boolean;
      message: ChatMessageDoc;
      servedSession?: ChatSessionDoc;
      origin?: string;
    },
  ];
  /** A session changed state, agent, rating or read position. */
  'chat.session': [
    {
      orgId: string;
      sessionId: string;
      visitorId: string;
      agentId: string | null;
      previousAgentId?: string | null;
      session: ChatSessionDoc;
    },
  ];
  /** These visitors' tokens ended (erasure, or "forget this device"): their open chat pages are disconnected. */
  'chat.visitors_forgotten': [{ orgId: string; visitorIds: string[] }];
  /**
   * Customers changed hands (`customerIds`, possibly none when a departed clerk's whole book was asked for and only her
   * groups remain): follow-ups, conversations and groups follow. `by` is the acting context, for the reactions' audit.
   */
  'customers.transferred': [
    {
      orgId: string;
      customerIds: string[];
      fromStaffId: string | null;
      /** Every customer of `fromStaffId` was asked for, not a selection. */
      wholeBook: boolean;
      toStaffId: string;
      toStoreId: string | null;
      byStaffId: string;
      by: ServiceContext;
    },
  ];
  /** A customer's personal data was erased: every domain erases what it holds about them. */
  'customers.erased': [{ orgId: string; customerId: string }];
  /** Customers added or edited by staff (birthdays, relatives, tags may differ): follow-ups bring today's tasks up to date. */
  'customers.changed': [{ orgId: string; customerIds: string[] }];
  /** A customer commented on or first liked a moment: its author is told; `unseen` is the post's count of news for her. */
  'moments.reaction': [{ orgId: string; postId: string; authorId: string; kind: 'comment' | 'like'; unseen: number }];
  /** A post to a large audience was stored and answered: the rest of its delivery is the delivery job's. */
  'posts.delivering': [{ orgId: string; postId: string }];
};

/**
 * Events whose reactions are another domain's share of the write itself (a transfer moves the follow-ups too; an erasure
 * erases the conversations too): emitted only through emitEventAndRequire, which fails when a reaction fails. The value
 * is what a reaction may answer, for the write's result.
 */
export type RequiredEventResults = {
  'customers.transferred': { groupsMoved?: number };
  'customers.erased': void;
};
type RequiredEvent = keyof RequiredEventResults;
type OptionalEvent = Exclude<keyof DomainEvents, RequiredEvent>;

class DomainEventBus extends EventEmitter {
  private readonly required = new Map<string, number>();

  emitEvent<K extends OptionalEvent>(name: K, ...payload: DomainEvents[K]): void {
    this.emit(name, ...payload);
  }
  /**
   * Emits and waits for the listeners' work, for a reaction the person must see on the next page (a follow-up task for a
   * birthday in three days). Listeners stay guarded: a failure is logged, never thrown into the write that caused it.
   */
  async emitEventAndSettle<K extends OptionalEvent>(name: K, ...payload: DomainEvents[K]): Promise<void> {
    await Promise.all(this.listeners(name).map((listener) => (listener as (...args: DomainEvents[K]) => unknown)(...payload)));
  }
  /**
   * Emits and waits for every listener; rejects with the first failure once all have finished, so a write never reports
   * success when a part of it failed, and nothing is still running when it answers. Answers the reactions' results.
   * A required event nobody reacts to means the reactions were never installed: that fails too, rather than a transfer
   * that silently leaves the follow-ups behind.
   */
  async emitEventAndRequire<K extends RequiredEvent>(name: K, ...payload: DomainEvents[K]): Promise<Exclude<RequiredEventResults[K], void>[]> {
    if (!this.required.get(name)) throw new Error(`no reaction to '${name}' is installed (installDomainReactions)`);
    const settled = await Promise.allSettled(this.listeners(name).map(async (listener) => (listener as (...args: DomainEvents[K]) => unknown)(...payload)));
    const failed = settled.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    return settled.flatMap((outcome) =>
      outcome.status === 'fulfilled' && outcome.value !== undefined ? [outcome.value as Exclude<RequiredEventResults[K], void>] : [],
    );
  }
  /** A reaction that is part of the write (see RequiredEventResults): unguarded, its failure fails the write. */
  onRequiredEvent<K extends RequiredEvent>(name: K, listener: (...payload: DomainEvents[K]) => Promise<RequiredEventResults[K]>): () => void {
    const registered = (...payload: unknown[]): Promise<RequiredEventResults[K]> => listener(...(payload as DomainEvents[K]));
    this.on(name, registered);
    this.required.set(name, (this.required.get(name) ?? 0) + 1);
    return () => {
      this.off(name, registered);
      this.required.set(name, (this.required.get(name) ?? 1) - 1);
    };
  }
  /**
   * Listeners run after the write that caused the event: one that throws or rejects is logged and never fails the
   * write's request (which would answer 5xx for a change already stored) nor escapes as an uncaught error.
   */
  onEvent<K extends keyof DomainEvents>(name: K, listener: (...payload: DomainEvents[K]) => unknown): () => void {
    const guarded = (...payload: unknown[]): Promise<void> | undefined => {
      try {
        const result = listener(...(payload as DomainEvents[K]));
        if (result instanceof Promise)
          return result.then(
            () => undefined,
            (err: unknown) => logger.error({ err, event: name }, 'domain event listener failed'),
          );
      } catch (err) {
        logger.error({ err, event: name }, 'domain event listener failed');
      }
      return undefined;
    };
    this.on(name, guarded);
    return () => this.off(name, guarded);
  }
}

export const domainEvents = new DomainEventBus();
