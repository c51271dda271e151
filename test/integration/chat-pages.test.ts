import { describe, expect, it, beforeAll } from '@jest/globals';
import request from 'supertest';
import { io as connectSocket } from 'socket.io-client';
import { useTestDatabase } from '../setup/db.js';
import { startTestServer } from '../setup/server.js';
import { createOrgWithTeam, createCustomer, createStaff, PASSWORD } from '../factories.js';
import { csrfTokenIn, signIn, bearerFor, postForm } from '../setup/app.js';
import { connectAgent, connectCustomer, createChannel, nextEvent, ok, request as socketRequest } from '../setup/chat.js';
import { ChatChannel, ChatVisitor, CannedReply } from '../../server/models/chat-channel.js';
import { ChatMessage } from '../../server/models/chat-session.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
useTestDatabase({ beforeClose: async () => server?.close() });
beforeAll(async () => {
  server = await startTestServer();
});

// A 1×1 PNG that decodes (the one this replaced had a broken zlib stream, which the picture check now refuses).
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000970485973000003e8000003e801b57b526b0000000d4944415408d763606060600000000500015ef32a3a0000000049454e44ae426082',
  'hex',
);

/** A customer's browser: the start form, then the chat page that remembers them by cookie. */
async function startAsCustomer(key: string, fields: { name: string; phone?: string }) {
  const browser = request.agent(server.baseUrl);
  const form = await browser.get(`/c/${key}`).expect(200);
  expect(form.text).toContain('name="name"');
  const started = await browser
    .post(`/c/${key}/start`)
    .type('form')
    .send({ ...fields, phone: fields.phone ?? '', _csrf: csrfTokenIn(form.text) });
  return { browser, started };
}

function configOf(html: string): { token: string; uploadUrl: string; imageBase: string } {
  return JSON.parse(/<script type="application\/json" id="chat-config">([^<]*)<\/script>/.exec(html)![1]!);
}

describe('the customer chat page', () => {
  it('asks for a name, refuses a bad number keeping what was typed, links a known number to the CRM customer, and remembers the device', async () => {
    const { org } = await createOrgWithTeam();
    const known = await createCustomer(org._id, { name: '王芳' });
    const channel = await createChannel(org._id);
    const { browser: first, started: refused } = await startAsCustomer(channel.key, { name: '王女士', phone: '123' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('value="王女士"');
    expect(await ChatVisitor.countDocuments({ orgId: org._id })).toBe(0);

    const form = await first.get(`/c/${channel.key}`);
    const ok303 = await first
      .post(`/c/${channel.key}/start`)
      .type('form')
      .send({ name: '王女士', phone: known.phone, _csrf: csrfTokenIn(form.text) });
    expect(ok303.status).toBe(303);
    const cookies = ([] as string[]).concat(ok303.headers['set-cookie'] ?? []);
    expect(cookies.find((c) => c.startsWith('sl_chat='))).toMatch(new RegExp(`Path=/c/${channel.key}.*HttpOnly`, 'i'));
    const page = await first.get(`/c/${channel.key}`).expect(200);
    expect(page.text).toContain('data-testid="customer-chat"');
    const visitor = await ChatVisitor.findOne({ orgId: org._id }).lean();
    expect(String(visitor?.customerId)).toBe(String(known._id));

    // The token on the page connects to the customer namespace.
    const socket = connectSocket(`${server.baseUrl}/customer`, { auth: { token: configOf(page.text).token }, transports: ['websocket'], forceNew: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    socket.close();
    expect((await request(server.baseUrl).get('/c/no-such-channel').expect(404)).text).not.toContain('customer-chat');
  });

  it('takes pictures checked by their bytes and shows each only to its sender and the organisation’s agents', async () => {
    const { org, agent } = await createOrgWithTeam();
    const other = await createOrgWithTeam();
    const channel = await createChannel(org._id);
    const { browser } = await startAsCustomer(channel.key, { name: '李先生' });
    const page = await browser.get(`/c/${channel.key}`);
    const csrf = csrfTokenIn(page.text);
    const upload = (body: Buffer, type: string) =>
      browser.post(`/c/${channel.key}/images`).set('Content-Type', type).set('Accept', 'application/json').set('X-CSRF-Token', csrf).send(body);

    const fake = await upload(Buffer.from('<svg onload="alert(1)"></svg>'), 'image/png');
    expect(fake.status).toBe(400);
    expect(fake.body.error.details.fields.image).toEqual(['image_type']);
    expect((await upload(Buffer.alloc(5 * 1024 * 1024 + 1, 1), 'image/png')).status).toBe(413);
    const stored = await upload(PNG, 'image/png').expect(201);
    const imageId = stored.body.imageId as string;

    const mine = await browser.get(`/c/${channel.key}/images/${imageId}`).expect(200);
    expect(mine.headers['content-type']).toBe('image/png');
    expect(mine.headers['x-content-type-options']).toBe('nosniff');
    const stranger = await startAsCustomer(channel.key, { name: '路人' });
    await stranger.browser.get(`/c/${channel.key}/images/${imageId}`).expect(404);
    // Staff see a picture only once it is in a conversation they may reach.
    const staff = await signIn(server.baseUrl, agent.login, PASSWORD);
    await staff.get(`/chat/images/${imageId}`).expect(404);

    // The picture goes out as a message; the agent receives it with the image's id.
    const a = await connectAgent(server.baseUrl, agent.login);
    await ok(a.socket, 'chat:presence', { status: 'online' });
    const socket = connectSocket(`${server.baseUrl}/customer`, { auth: { token: configOf(page.text).token }, transports: ['websocket'], forceNew: true });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const pushed = nextEvent<{ message: { image: { id: string } | null } }>(a.socket, 'chat:message', (p) => Boolean(p.message.image));
    await ok(socket, 'message:send', { clientId: 'img-1', imageId });
    expect((await pushed).message.image?.id).toBe(imageId);
    await staff.get(`/chat/images/${imageId}`).expect(200);
    const outsider = await signIn(server.baseUrl, other.agent.login, PASSWORD);
    await outsider.get(`/chat/images/${imageId}`).expect(404);
    socket.close();
    a.socket.close();
  });

  it('gives API clients a visitor token, refusing a bad number with field details', async () => {
    const { org } = await createOrgWithTeam();
    const channel = await createChannel(org._id);
    const bad = await request(server.baseUrl).post(`/api/v1/chat/channels/${channel.key}/visitors`).send({ name: '', phone: 'abc' });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.error.details.fields).sort()).toEqual(['name']);
    const created = await request(server.baseUrl).post(`/api/v1/chat/channels/${channel.key}/visitors`).send({ name: '小周' }).expect(201);
    expect(created.body.token).toMatch(/^[0-9a-f]{24}\.0\.\d+\.[\w-]+$/);
    await request(server.baseUrl).post('/api/v1/chat/channels/nope-nope/visitors').send({ name: '小周' }).expect(404);
  });
});

describe('channels and canned replies', () => {
  it('lets an admin create a channel with keyword answers and business hours, refusing bad lines and keeping the form', async () => {
    const { admin, agent, org } = await createOrgWithTeam();
    const browser = await signIn(server.baseUrl, admin.login, PASSWORD);
    const refused = await postForm(browser, '/admin/channels/new', '/admin/channels', {
      name: '门店咨询',
      routing: 'round_robin',
      keywordAnswers: '营业时间\n地址 = 南京西路 1 号',
      businessStart: '09:00',
      businessEnd: '21:00',
    });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('南京西路 1 号');
    expect(await ChatChannel.countDocuments({ orgId: org._id })).toBe(0);
    const created = await postForm(browser, '/admin/channels/new', '/admin/channels', {
      name: '门店咨询',
      routing: 'round_robin',
      routeByStore: 'on',
      active: 'on',
      keywordAnswers: '营业时间 = 10:00-22:00\n地址 = 南京西路 1 号',
      businessDays: ['1', '2'],
      businessStart: '09:00',
      businessEnd: '21:00',
    });
    expect(created.status).toBe(303);
    const channel = await ChatChannel.findOne({ orgId: org._id }).lean();
    expect(channel).toMatchObject({ routing: 'round_robin', businessHours: { days: [1, 2], start: '09:00', end: '21:00' } });
    expect(channel?.keywordAnswers).toEqual([
      { keyword: '营业时间', answer: '10:00-22:00' },
      { keyword: '地址', answer: '南京西路 1 号' },
    ]);
    const list = await browser.get('/admin/channels').expect(200);
    expect(list.text).toContain(`/c/${channel!.key}`);
    // The QR code is an SVG image of the channel's address.
    const qr = /<img src="data:image\/svg\+xml;base64,([^"]+)"/.exec(list.text);
    expect(Buffer.from(qr![1]!, 'base64').toString()).toContain('<svg');
    const agentBrowser = await signIn(server.baseUrl, agent.login, PASSWORD);
    await agentBrowser.get('/admin/channels').expect(403);
  });

  it('keeps personal canned replies personal and organisation ones for admins to manage', async () => {
    const { admin, agent, org } = await createOrgWithTeam();
    const headers = await bearerFor(server.baseUrl, agent.login, PASSWORD);
    const mine = await request(server.baseUrl).post('/api/v1/chat/canned-replies').set(headers).send({ shortcut: 'hi', text: '您好！' }).expect(201);
    expect((await request(server.baseUrl).post('/api/v1/chat/canned-replies').set(headers).send({ shortcut: 'hi', text: '再来' })).status).toBe(409);
    expect((await request(server.baseUrl).post('/api/v1/chat/canned-replies').set(headers).send({ shortcut: 'all', text: '全员', shared: true })).status).toBe(
      403,
    );
    expect(
      (await request(server.baseUrl).post('/api/v1/chat/canned-replies').set(headers).send({ shortcut: 'a b', text: 'x' })).body.error.details.fields.shortcut,
    ).toEqual(['shortcut_format']);
    const adminHeaders = await bearerFor(server.baseUrl, admin.login, PASSWORD);
    await request(server.baseUrl)
      .post('/api/v1/chat/canned-replies')
      .set(adminHeaders)
      .send({ shortcut: 'engrave', text: '免费刻字', shared: true })
      .expect(201);
    const seen = await request(server.baseUrl).get('/api/v1/chat/canned-replies').set(headers).expect(200);
    expect(seen.body.items.map((r: { shortcut: string }) => r.shortcut).sort()).toEqual(['engrave', 'hi']);
    const adminSees = await request(server.baseUrl).get('/api/v1/chat/canned-replies').set(adminHeaders).expect(200);
    expect(adminSees.body.items.map((r: { shortcut: string }) => r.shortcut)).toEqual(['engrave']);
    await request(server.baseUrl)
      .delete(`/api/v1/chat/canned-replies/${mine.body.id as string}`)
      .set(adminHeaders)
      .expect(404);
    await request(server.baseUrl)
      .delete(`/api/v1/chat/canned-replies/${mine.body.id as string}`)
      .set(headers)
      .expect(204);
    expect(await CannedReply.countDocuments({ orgId: org._id })).toBe(1);
  });
});

describe('escaping', () => {
  it('carries script and markup payloads as text on both sides and renders them escaped in pages', async () => {
    const { org, agent } = await createOrgWithTeam();
    const channel = await createChannel(org._id);
    const payload = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    const { browser } = await startAsCustomer(channel.key, { name: payload });
    const page = await browser.get(`/c/${channel.key}`).expect(200);
    expect(page.text).not.toContain('<script>alert(1)');
    expect(page.text).not.toContain('<img src=x');
    const a = await connectAgent(server.baseUrl, agent.login);
    await ok(a.socket, 'chat:presence', { status: 'online' });
    const socket = connectSocket(`${server.baseUrl}/customer`, { auth: { token: configOf(page.text).token }, transports: ['websocket'], forceNew: true });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const sent = await ok<{ message: { text: string }; session: { id: string } }>(socket, 'message:send', { clientId: 'x', text: payload });
    expect(sent.message.text).toBe(payload);
    const opened = await ok<{ visitor: { name: string }; messages: { text: string }[] }>(a.socket, 'chat:open', { sessionId: sent.session.id });
    expect(opened.visitor.name).toBe(payload);
    const console = await (await signIn(server.baseUrl, agent.login, PASSWORD)).get('/console/agent').expect(200);
    expect(console.text).not.toContain('<script>alert(1)');
    socket.close();
    a.socket.close();
  });
});

describe('erasure', () => {
  it('takes the customer’s conversations with it: texts, pictures, names and the device’s token', async () => {
    const { org, admin } = await createOrgWithTeam();
    const customer = await createCustomer(org._id, { name: '要删除的客户' });
    const channel = await createChannel(org._id);
    const { browser } = await startAsCustomer(channel.key, { name: '删除我', phone: customer.phone });
    const page = await browser.get(`/c/${channel.key}`);
    const stored = await browser
      .post(`/c/${channel.key}/images`)
      .set('Content-Type', 'image/png')
      .set('Accept', 'application/json')
      .set('X-CSRF-Token', csrfTokenIn(page.text))
      .send(PNG)
      .expect(201);
    const socket = connectSocket(`${server.baseUrl}/customer`, { auth: { token: configOf(page.text).token }, transports: ['websocket'], forceNew: true });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    await ok(socket, 'message:send', { clientId: 'e1', text: '我的地址是南京西路 1 号' });
    await ok(socket, 'message:send', { clientId: 'e2', imageId: stored.body.imageId as string });
    socket.close();

    const headers = await bearerFor(server.baseUrl, admin.login, PASSWORD);
    await request(server.baseUrl)
      .delete(`/api/v1/customers/${String(customer._id)}`)
      .set(headers)
      .send({ confirmPassword: PASSWORD })
      .expect(204);

    const messages = await ChatMessage.find({ orgId: org._id, sender: 'customer' }).lean();
    expect(messages.map((m) => [m.text, m.image])).toEqual([
      ['', null],
      ['', null],
    ]);
    expect(await ChatVisitor.findOne({ orgId: org._id }).lean()).toMatchObject({ name: '—', phone: '', customerId: null });
    const again = connectSocket(`${server.baseUrl}/customer`, { auth: { token: configOf(page.text).token }, transports: ['websocket'], forceNew: true });
    const refused = await new Promise<Error>((resolve) => again.once('connect_error', resolve));
    expect(refused.message).toBe('invalid_token');
    again.close();
    const staff = await signIn(server.baseUrl, admin.login, PASSWORD);
    await staff.get(`/chat/images/${stored.body.imageId as string}`).expect(404);
  });
});

describe('reach', () => {
  it('never lets an agent attach a stranger customer, and keeps pictures within the sessions staff may reach', async () => {
    const { org, agent, store, otherStore } = await createOrgWithTeam();
    const stranger = await createCustomer(org._id, { name: '陌生客户' });
    const channel = await createChannel(org._id, { routing: 'least_busy', storeId: otherStore._id });
    const { browser } = await startAsCustomer(channel.key, { name: '访客', phone: '13700001111' });
    const page = await browser.get(`/c/${channel.key}`);
    const stored = await browser
      .post(`/c/${channel.key}/images`)
      .set('Content-Type', 'image/png')
      .set('Accept', 'application/json')
      .set('X-CSRF-Token', csrfTokenIn(page.text))
      .send(PNG)
      .expect(201);
    const a = await connectAgent(server.baseUrl, agent.login);
    await ok(a.socket, 'chat:presence', { status: 'online' });
    const socket = connectSocket(`${server.baseUrl}/customer`, { auth: { token: configOf(page.text).token }, transports: ['websocket'], forceNew: true });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const sent = await ok<{ session: { id: string } }>(socket, 'message:send', { clientId: 'r1', imageId: stored.body.imageId as string });
    const linked = await socketRequest(a.socket, 'chat:link-customer', { sessionId: sent.session.id, customerId: String(stranger._id) });
    expect(linked.ok ? null : linked.error.code).toBe('not_found');
    // A manager of another store can neither open the session nor its picture.
    const manager = await createStaff(org._id, { roles: ['manager'], storeId: store._id });
    const managerBrowser = await signIn(server.baseUrl, manager.login, PASSWORD);
    await managerBrowser.get(`/chat/images/${stored.body.imageId as string}`).expect(404);
    await (await signIn(server.baseUrl, agent.login, PASSWORD)).get(`/chat/images/${stored.body.imageId as string}`).expect(200);
    socket.close();
    a.socket.close();
  });

  it('routes a store manager only their own store’s sessions', async () => {
    const { org, store, otherStore } = await createOrgWithTeam();
    const manager = await createStaff(org._id, { roles: ['manager'], storeId: store._id });
    const elsewhere = await createChannel(org._id, { routing: 'least_busy', storeId: otherStore._id });
    const home = await createChannel(org._id, { routing: 'least_busy', storeId: store._id });
    const m = await connectAgent(server.baseUrl, manager.login);
    await ok(m.socket, 'chat:presence', { status: 'online' });
    const far = await connectCustomer(server.baseUrl, elsewhere.key);
    const near = await connectCustomer(server.baseUrl, home.key);
    const farSession = await ok<{ session: { id: string; state: string } }>(far.socket, 'message:send', { clientId: 'f1', text: '你好' });
    const nearSession = await ok<{ session: { id: string; state: string } }>(near.socket, 'message:send', { clientId: 'n1', text: '你好' });
    expect(farSession.session.state).toBe('queued');
    expect(nearSession.session.state).toBe('serving');
    for (const s of [m.socket, far.socket, near.socket]) s.close();
  });

  it('cuts off an erased customer’s open chat page at once', async () => {
    const { org, admin } = await createOrgWithTeam();
    const customer = await createCustomer(org._id, { name: '马上删除' });
    const channel = await createChannel(org._id);
    const live = await connectCustomer(server.baseUrl, channel.key, { name: '马女士', phone: customer.phone });
    const cut = new Promise<string>((resolve) => live.socket.once('disconnect', (reason) => resolve(reason)));
    const headers = await bearerFor(server.baseUrl, admin.login, PASSWORD);
    await request(server.baseUrl)
      .delete(`/api/v1/customers/${String(customer._id)}`)
      .set(headers)
      .send({ confirmPassword: PASSWORD })
      .expect(204);
    expect(await cut).toBe('io server disconnect');
    live.socket.close();
  });
});
