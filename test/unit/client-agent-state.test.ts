import { describe, expect, it } from '@jest/globals';
import {
  applyOverview,
  applyPush,
  createState,
  freshFromCustomer,
  lastMessageOf,
  mineInOrder,
  queueInOrder,
  readTarget,
  remember,
  sendingState,
  unreadOf,
  type Viewer,
} from '../../client/agent/state.js';
import { replyWindowOf } from '../../server/domain/reply-window.js';
import type { AgentSession, ChatMessage } from '../../client/shared/protocol.js';

const me = 'a'.repeat(24);
const other = 'b'.repeat(24);
const viewer: Viewer = { me, storeScope: null };
const limits = { replyWindowHours: 48, replyWindowMessages: 5 };
const now = new Date('2026-03-02T12:00:00Z');

let ids = 0;
function session(fields: Partial<AgentSession> = {}): AgentSession {
  ids += 1;
  return {
    id: String(ids).padStart(24, '0'),
    state: 'serving',
    stateCode: 2,
    channelId: 'c'.repeat(24),
    storeId: null,
    visitorId: 'd'.repeat(24),
    visitorName: null,
    customerId: null,
    agentId: me,
    agentName: null,
    previousSessionId: null,
    seq: 0,
    queuedAt: null,
    assignedAt: null,
    closedAt: null,
    disposition: null,
    rating: null,
    lastMessageAt: null,
    lastMessagePreview: '',
    lastCustomerMessageAt: null,
    agentMessagesSinceCustomer: 0,
    customerReadSeq: 0,
    agentReadSeq: 0,
    queuePosition: null,
    unread: 0,
    createdAt: '2026-03-01T08:00:00.000Z',
    ...fields,
  } as AgentSession;
}

function message(sessionId: string, seq: number, fields: Partial<ChatMessage> = {}): ChatMessage {
  return {
    id: `m${seq}`,
    sessionId,
    seq,
    clientId: `c${seq}`,
    sender: 'customer',
    agentId: null,
    text: `text ${seq}`,
    image: null,
    internal: false,
    createdAt: new Date(Date.UTC(2026, 2, 1, 9, seq)).toISOString(),
    ...fields,
  } as ChatMessage;
}

describe('agent console state: remembering sessions', () => {
  it('keeps the visitor and agent names a later push omits', () => {
    const state = createState(5);
    const first = session({ visitorName: '王女士', agentName: '小李', seq: 3 });
    remember(state, first);
    const { merged } = remember(state, { ...first, visitorName: null, agentName: null, seq: 4 });
    expect(merged).toMatchObject({ visitorName: '王女士', agentName: '小李', seq: 4 });
    // What was there when it was first seen counts as announced.
    expect(state.announcedSeq.get(first.id)).toBe(3);
  });
});

describe('agent console state: the overview', () => {
  it('takes presence and load, drops what it no longer lists and says which of mine to stop following', () => {
    const state = createState(5);
    const gone = session();
    const stillOpen = session();
    const queued = session({ state: 'queued', agentId: null });
    for (const s of [gone, stillOpen]) remember(state, s);
    state.currentId = stillOpen.id;
    const kept = session({ unread: 2, seq: 7 });
    const forget = applyOverview(state, viewer, { presence: 'online', activeSessions: 1, maxSessions: 4, mine: [kept], queue: [queued] });
    expect(forget).toEqual([gone.id]);
    expect([...state.sessions.keys()].sort()).toEqual([stillOpen.id, kept.id, queued.id].sort());
    expect(state).toMatchObject({ presence: 'online', wantedPresence: 'online', activeSessions: 1, maxSessions: 4 });
    expect(state.unreadBase.get(kept.id)).toEqual({ count: 2, seq: 7 });
  });

  it('does not forget the presence the agent chose when the server reports offline', () => {
    const state = createState(5);
    applyOverview(state, viewer, { presence: 'away', activeSessions: 0, maxSessions: 5, mine: [], queue: [] });
    applyOverview(state, viewer, { presence: 'offline', activeSessions: 0, maxSessions: 5, mine: [], queue: [] });
    expect(state.presence).toBe('offline');
    expect(state.wantedPresence).toBe('away');
  });
});

describe('agent console state: session pushes', () => {
  it('ignores other stores when the viewer is limited to one', () => {
    const state = createState(5);
    const scoped: Viewer = { me, storeScope: { storeId: 'e'.repeat(24) } };
    expect(applyPush(state, scoped, session({ state: 'queued', agentId: null, storeId: 'f'.repeat(24) }))).toEqual({ kind: 'ignored' });
    expect(state.sessions.size).toBe(0);
  });

  it('announces a newcomer in the queue once', () => {
    const state = createState(5);
    const queued = session({ state: 'queued', agentId: null });
    expect(applyPush(state, viewer, queued)).toMatchObject({ kind: 'kept', newlyQueued: true, left: false });
    expect(applyPush(state, viewer, { ...queued, seq: 2 })).toMatchObject({ kind: 'kept', newlyQueued: false });
  });

  it('drops a queued session a colleague took, and stops following one of mine that went to a colleague', () => {
    const state = createState(5);
    const queued = session({ state: 'queued', agentId: null });
    applyPush(state, viewer, queued);
    expect(applyPush(state, viewer, { ...queued, state: 'serving', agentId: other })).toEqual({ kind: 'dropped' });
    expect(state.sessions.has(queued.id)).toBe(false);

    const mine = session();
    applyPush(state, viewer, mine);
    const outcome = applyPush(state, viewer, { ...mine, agentId: other });
    expect(outcome).toMatchObject({ kind: 'kept', ownershipChanged: true, left: true, forget: true });
    expect(state.sessions.has(mine.id)).toBe(false);
  });

  it('keeps the open session whatever becomes of it', () => {
    const state = createState(5);
    const open = session();
    state.currentId = open.id;
    applyPush(state, viewer, open);
    expect(applyPush(state, viewer, { ...open, state: 'closed' })).toMatchObject({ kind: 'kept', left: false, forget: false });
    expect(state.sessions.get(open.id)?.state).toBe('closed');
  });
});

describe('agent console state: unread counts and the lists', () => {
  it('counts from the overview, then the customer messages that came after it', () => {
    const state = createState(5);
    const s = session({ agentReadSeq: 2 });
    state.unreadBase.set(s.id, { count: 3, seq: 5 });
    const held = [message(s.id, 5), message(s.id, 6), message(s.id, 7, { sender: 'agent', agentId: me }), message(s.id, 8)];
    expect(unreadOf(state, s, held)).toBe(5);
    // Once the agent read past the overview, only what follows the read mark counts.
    expect(unreadOf(state, { ...s, agentReadSeq: 6 }, held)).toBe(1);
  });

  it('shows the newest message that is not a note, or the preview when it is newer', () => {
    const s = session({ lastMessageAt: '2026-03-01T09:03:00.000Z', lastMessagePreview: 'preview' });
    const held = [message(s.id, 4), message(s.id, 5, { internal: true, sender: 'agent' })];
    expect(lastMessageOf(s, held, '[图片]')).toEqual({ text: 'text 4', at: held[0]!.createdAt });
    expect(lastMessageOf(s, [message(s.id, 2)], '[图片]')).toEqual({ text: 'preview', at: s.lastMessageAt });
    expect(lastMessageOf(s, [message(s.id, 6, { text: '', image: { id: 'i', mime: 'image/png', size: 1 } })], '[图片]').text).toBe('[图片]');
  });

  it('orders mine by latest message and the queue by longest wait', () => {
    const state = createState(5);
    const older = session({ lastMessageAt: '2026-03-01T09:00:00.000Z' });
    const newer = session({ lastMessageAt: '2026-03-01T10:00:00.000Z' });
    const waitingLong = session({ state: 'queued', agentId: null, queuedAt: '2026-03-01T07:00:00.000Z' });
    const waitingShort = session({ state: 'queued', agentId: null, queuedAt: '2026-03-01T07:30:00.000Z' });
    for (const s of [older, waitingShort, newer, waitingLong]) remember(state, s);
    expect(mineInOrder(state, viewer, (s) => s.lastMessageAt).map((s) => s.id)).toEqual([newer.id, older.id]);
    expect(queueInOrder(state, viewer).map((s) => s.id)).toEqual([waitingLong.id, waitingShort.id]);
  });
});

describe('agent console state: announcements and read marks', () => {
  it('announces only customer messages not announced before, nothing for a session first heard of', () => {
    const state = createState(5);
    const id = session().id;
    expect(freshFromCustomer(state, id, [message(id, 1), message(id, 2)])).toEqual([]);
    expect(state.announcedSeq.get(id)).toBe(2);
    const held = [message(id, 1), message(id, 2), message(id, 3, { sender: 'agent' }), message(id, 4)];
    expect(freshFromCustomer(state, id, held).map((m) => m.seq)).toEqual([4]);
    expect(freshFromCustomer(state, id, held)).toEqual([]);
  });

  it('marks read up to the newest message of my session, once while a mark is on its way', () => {
    const state = createState(5);
    const s = session({ agentReadSeq: 1 });
    const held = [message(s.id, 1), message(s.id, 2)];
    expect(readTarget(state, viewer, s, held)).toBe(2);
    state.readInFlight.set(s.id, 2);
    expect(readTarget(state, viewer, s, held)).toBeNull();
    expect(readTarget(createState(5), viewer, { ...s, agentId: other }, held)).toBeNull();
  });
});

describe('agent console state: may the agent reply', () => {
  it('follows the server reply-window rule on a session that is mine', () => {
    const s = session({ lastCustomerMessageAt: '2026-03-02T10:00:00.000Z', agentMessagesSinceCustomer: 2 });
    expect(sendingState(s, viewer, limits, now)).toEqual(replyWindowOf(s, limits, now));
    expect(sendingState(s, viewer, limits, now)).toMatchObject({ open: true, remaining: 3, closesAt: '2026-03-04T10:00:00.000Z' });
    expect(sendingState({ ...s, agentMessagesSinceCustomer: 5 }, viewer, limits, now).reason).toBe('limit_reached');
    expect(sendingState({ ...s, lastCustomerMessageAt: '2026-02-28T11:00:00.000Z' }, viewer, limits, now).reason).toBe('window_expired');
    expect(sendingState({ ...s, lastCustomerMessageAt: null }, viewer, limits, now).reason).toBe('no_customer_message');
    expect(sendingState({ ...s, state: 'queued', agentId: null }, viewer, limits, now).reason).toBe('not_serving');
  });

  it('is closed for a closed session, a colleague’s session, or none', () => {
    const s = session({ lastCustomerMessageAt: '2026-03-02T10:00:00.000Z' });
    expect(sendingState({ ...s, state: 'closed' }, viewer, limits, now)).toMatchObject({ open: false, reason: 'closed' });
    expect(sendingState({ ...s, agentId: other }, viewer, limits, now)).toMatchObject({ open: false, reason: 'not_yours' });
    expect(sendingState(undefined, viewer, limits, now)).toMatchObject({ open: false, reason: null });
  });
});
