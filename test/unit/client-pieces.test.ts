import { describe, expect, it } from '@jest/globals';
import { cannedQuery, matchCanned, placeholderFiller } from '../../client/agent/canned-match.js';
import { translator } from '../../client/agent/text.js';
import { createState, remember, settleCurrent, statusLine, type StatusStrings } from '../../client/customer/state.js';
import { fillPlaceholders } from '../../client/shared/placeholders.js';
import { ChatSync } from '../../client/shared/chat-sync.js';
import type { ChatMessage, CustomerSession, SyncSocket } from '../../client/shared/protocol.js';

describe('agent console: canned replies', () => {
  const all = [
    { shortcut: 'hi', text: '您好，{customer}！' },
    { shortcut: 'bye', text: 'Thanks, see you at {store}' },
    { shortcut: 'ship', text: '我们今天发货 hi' },
  ];

  it('opens only for "/" at the start of the composer, up to the caret', () => {
    expect(cannedQuery('/Hi', null)).toBe('hi');
    expect(cannedQuery('/hi there', 3)).toBe('hi');
    expect(cannedQuery('/hi there', null)).toBeNull();
    expect(cannedQuery('say /hi', null)).toBeNull();
  });

  it('lists shortcuts that start with the query before those that contain it', () => {
    expect(matchCanned(all, 'hi').map((c) => c.shortcut)).toEqual(['hi', 'ship']);
    expect(matchCanned(all, 'see').map((c) => c.shortcut)).toEqual(['bye']);
    expect(
      matchCanned(
        Array.from({ length: 12 }, (_, i) => ({ shortcut: `a${i}`, text: '' })),
        'a',
      ),
    ).toHaveLength(8);
  });

  it('fills placeholders by code or Chinese name, in either brace width, and leaves an empty one as typed', () => {
    const fillIn = placeholderFiller([
      { code: 'customer', zh: '客户' },
      { code: 'store', zh: '门店' },
      { code: 'clerk', zh: '导购' },
    ]);
    const values = { customer: '王女士', clerk: '', store: '徐汇店' };
    expect(fillIn('{customer}，{门店}见｛客户｝ {clerk} {other}', values)).toBe('王女士，徐汇店见王女士 {clerk} {other}');
    expect(placeholderFiller([])('{customer}', values)).toBe('{customer}');
  });
});

describe('agent console: strings', () => {
  const t = translator({ load: '{{active}} / {{max}}', errors: { generic: '出错了' } });
  it('fills {{name}} placeholders and shows a missing key as its path', () => {
    expect(t('load', { active: 1, max: 5 })).toBe('1 / 5');
    expect(t('errors.generic')).toBe('出错了');
    expect(t('errors.nope')).toBe('errors.nope');
    expect(t('load')).toBe('{{active}} / {{max}}');
  });
});

describe('placeholders (both pages’ strings)', () => {
  it('fills {{name}} with its value, and leaves a name without one out, or as written when asked to keep it', () => {
    expect(fillPlaceholders('{{ahead}} 人在前面，{{who}}', { ahead: 0, who: '小李' })).toBe('0 人在前面，小李');
    expect(fillPlaceholders('{{a}}-{{b}}', { a: 'x' })).toBe('x-');
    expect(fillPlaceholders('{{a}}-{{b}}', { a: 'x' }, 'keep')).toBe('x-{{b}}');
    expect(fillPlaceholders('{a} {{ a }}', { a: 'x' })).toBe('{a} {{ a }}');
  });
});

describe('customer chat page state', () => {
  const strings: StatusStrings = {
    offline: 'offline',
    ready: 'ready',
    nobodyOnline: 'nobody',
    queued: '{{ahead}} ahead',
    queuedFirst: 'next',
    serving: 'with {{name}}',
    bot: 'bot',
    closed: 'closed',
  };
  const customerSession = (id: string, fields: Partial<CustomerSession> = {}) =>
    ({
      id,
      state: 'serving',
      stateCode: 2,
      seq: 0,
      agentName: null,
      queuePosition: null,
      agentReadSeq: 0,
      rated: false,
      closedAt: null,
      createdAt: '2026-03-01T08:00:00.000Z',
      ...fields,
    }) as CustomerSession;

  it('keeps sessions oldest first and the open one current', () => {
    const state = createState();
    remember(state, customerSession('b', { createdAt: '2026-03-02T08:00:00.000Z' }));
    remember(state, customerSession('a', { state: 'closed', createdAt: '2026-03-01T08:00:00.000Z' }));
    expect(state.order).toEqual(['a', 'b']);
    expect(state.current).toBe('b');
    // A push about the current session keeps it current, closed or not, merged into what was known.
    remember(state, customerSession('b', { state: 'closed', createdAt: '2026-03-02T08:00:00.000Z', agentName: '小李' }));
    expect(state.current).toBe('b');
    expect(state.sessions.get('b')).toMatchObject({ state: 'closed', agentName: '小李' });
    expect(state.order).toEqual(['a', 'b']);
  });

  it('moves from a closed current session to the latest after loading history', () => {
    const state = createState();
    remember(state, customerSession('old', { state: 'closed', createdAt: '2026-03-01T08:00:00.000Z' }));
    remember(state, customerSession('new', { state: 'closed', createdAt: '2026-03-03T08:00:00.000Z' }));
    expect(state.current).toBe('old');
    settleCurrent(state);
    expect(state.current).toBe('new');
  });

  it('says where the customer stands', () => {
    const live = { connected: true, agentsOnline: true };
    expect(statusLine(null, { connected: false, agentsOnline: true }, strings)).toBe('offline');
    expect(statusLine(null, { connected: true, agentsOnline: false }, strings)).toBe('nobody');
    expect(statusLine(customerSession('s', { state: 'queued', queuePosition: 3 }), live, strings)).toBe('2 ahead');
    expect(statusLine(customerSession('s', { state: 'queued', queuePosition: 1 }), live, strings)).toBe('next');
    expect(statusLine(customerSession('s', { agentName: '小李' }), live, strings)).toBe('with 小李');
    expect(fillPlaceholders('{{a}}{{b}}', { a: 1 })).toBe('1');
  });
});

/** A socket that answers nothing by itself: the test plays the server. */
function fakeSocket() {
  const listeners = new Map<string, ((...args: any[]) => void)[]>();
  const emitted: { event: string; payload: unknown; answer: (err: unknown, ack: unknown) => void }[] = [];
  const socket: SyncSocket & { push: (event: string, payload: unknown) => void } = {
    connected: true,
    on: (event, listener) => listeners.set(event, [...(listeners.get(event) ?? []), listener]),
    timeout: () => ({ emit: (event: string, payload: unknown, answer: (err: unknown, ack: unknown) => void) => emitted.push({ event, payload, answer }) }),
    push: (event, payload) => listeners.get(event)?.forEach((listener) => listener(payload)),
  };
  return { socket, emitted };
}

const chatMessage = (sessionId: string, seq: number): ChatMessage => ({
  id: `m${seq}`,
  sessionId,
  seq,
  clientId: `c${seq}`,
  sender: 'customer',
  agentId: null,
  text: `t${seq}`,
  image: null,
  internal: false,
  createdAt: '2026-03-01T08:00:00.000Z',
});

describe('ChatSync (the shared client half of the delivery guarantee)', () => {
  it('holds each message once in seq order and syncs on a gap', async () => {
    const { socket, emitted } = fakeSocket();
    const changed: string[] = [];
    const sync = new ChatSync({ socket, side: 'agent', onChange: (id) => changed.push(id) });
    sync.track('s');
    socket.push('chat:message', { message: chatMessage('s', 1) });
    socket.push('chat:message', { message: chatMessage('s', 1) });
    expect(sync.messagesOf('s').map((m) => m.seq)).toEqual([1]);
    expect(emitted).toHaveLength(0);
    socket.push('chat:message', { message: chatMessage('s', 3) });
    expect(sync.lastSeq('s')).toBe(1);
    expect(emitted.map((e) => [e.event, e.payload])).toEqual([['chat:sync', { sessionId: 's', afterSeq: 1 }]]);
    emitted[0]!.answer(null, { ok: true, data: { session: { id: 's', seq: 3 }, messages: [chatMessage('s', 2)] } });
    await sync.sync('s');
    expect(sync.messagesOf('s').map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(sync.lastSeq('s')).toBe(3);
    expect(changed).toEqual(['s', 's', 's']);
  });

  it('keeps a send pending until acknowledged, and rejects it on a final refusal', async () => {
    const { socket, emitted } = fakeSocket();
    const sync = new ChatSync({ socket, side: 'customer' });
    const sent = sync.send('你好', { clientId: 'one' });
    expect(emitted[0]).toMatchObject({ event: 'message:send', payload: { clientId: 'one', text: '你好' } });
    expect(sync.pending.size).toBe(1);
    emitted[0]!.answer(null, { ok: true, data: { message: chatMessage('s', 1), session: { id: 's' } } });
    await expect(sent).resolves.toMatchObject({ session: { id: 's' } });
    expect(sync.pending.size).toBe(0);
    expect(sync.messagesOf('s')).toHaveLength(1);

    const refused = sync.send('x'.repeat(5), { clientId: 'two' });
    emitted[1]!.answer(null, { ok: false, error: { code: 'validation', message: 'too long' } });
    await expect(refused).rejects.toMatchObject({ code: 'validation' });
    expect(sync.pending.size).toBe(0);
  });
});
