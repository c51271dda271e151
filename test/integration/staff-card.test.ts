import { describe, expect, it, beforeAll, beforeEach } from '@jest/globals';
import request from 'supertest';
import { useTestDatabase } from '../setup/db.js';
import { startTestServer } from '../setup/server.js';
import { bearerFor, postForm, signIn } from '../setup/app.js';
import { connectAgent, connectCustomer, createChannel, nextEvent, ok } from '../setup/chat.js';
import { createOrg, createStaff, createStore, ctxFor, PASSWORD } from '../factories.js';
import { createGroup } from '../../server/services/groups/groups.js';
import { publishMoment } from '../../server/services/moments/moments.js';
import { staffCardsById } from '../../server/services/org/staff-cards.js';
import { CustomerGroup } from '../../server/models/customer-group.js';
import { Store } from '../../server/models/store.js';
import { mongoose } from '../../server/db/connect.js';
import type { StaffCard } from '../../server/presenters/staff-card.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
useTestDatabase({ beforeClose: async () => server?.close() });
beforeAll(async () => {
  server = await startTestServer();
});
// Every request here comes from the same address: each test starts with the per-address join count at zero.
beforeEach(async () => {
  await mongoose.connection.db!.collection('group_public_limits').deleteMany({});
  await mongoose.connection.db!.collection('member_public_limits').deleteMany({});
});

const ADDRESS = '漕溪北路 88 号';
const MAP_URL = `https://uri.amap.com/marker?position=121.437,31.188&name=${encodeURIComponent('徐汇店')}&src=storelink`;
// The admin types it like this; it is stored normalised (E.164), which is what a customer would see.
const PHONE_TYPED = '138 0013 8000';
const PHONE = '+8613800138000';

/** Every staff card on a page (the partial's section), in page order. */
function cardsIn(html: string): string[] {
  return [...html.matchAll(/<section[^>]*data-testid="staff-card"[^>]*>[\s\S]*?<\/section>/g)].map((m) => m[0]);
}

/** A card's field as the page shows it (the element's text), or null when the page hides it. */
function field(card: string, name: string): string | null {
  const match = new RegExp(`<[^>]*data-testid="staff-card-${name}"[^>]*>([^<]*)<`).exec(card);
  if (!match) throw new Error(`no ${name} in the card`);
  return / hidden[ >]/.test(match[0]) ? null : match[1]!.trim();
}

/** An organisation whose store has an address and coordinates, its admin, and a clerk with a title and a phone, set as an admin does. */
async function shop(opts: { roles?: ('clerk' | 'agent')[] } = {}) {
  const org = await createOrg({ contactBudgetPerDay: 0 });
  const store = await createStore(org._id, { name: '徐汇店' });
  const admin = await createStaff(org._id, { roles: ['admin'] });
  const clerk = await createStaff(org._id, { roles: opts.roles ?? ['clerk'], storeId: store._id, realName: '李小明' });
  const auth = await bearerFor(server.baseUrl, admin.login, PASSWORD);
  await request(server.baseUrl).patch(`/api/v1/stores/${store._id}`).set(auth).send({ address: ADDRESS, lng: 121.437, lat: 31.188 }).expect(200);
  await request(server.baseUrl).patch(`/api/v1/staff/${clerk._id}`).set(auth).send({ title: '资深导购', phone: PHONE_TYPED }).expect(200);
  // Agents have no groups of customers.
  const group = clerk.roles.includes('clerk') ? await createGroup(ctxFor(clerk), { name: '水果群', notice: '', cap: null }) : null!;
  return { org, store, admin, clerk, auth, group, orgId: String(org._id) };
}

/** The staff member ticks (or unticks) "show my phone to customers" on her own profile page. */
async function choosePhoneShown(login: string, shown: boolean) {
  const staff = await signIn(server.baseUrl, login, PASSWORD);
  const res = await postForm(staff, '/profile', '/profile/card', shown ? { showPhoneToCustomers: 'on' } : {});
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe('/profile');
  return staff;
}

/** The phone a card shows, or null: not there, or hidden (the chat page's empty card). */
function phoneIn(card: string): string | null {
  const shown = /<div data-card-show="phone"( hidden)?>[\s\S]*?data-testid="staff-card-phone">([^<]*)</.exec(card);
  return shown && !shown[1] ? shown[2]!.trim() : null;
}

/** A link's address as the browser reads it (Handlebars escapes `&` and `=`). */
function hrefIn(card: string, name: string): string {
  const raw = new RegExp(`href="([^"]*)"[^>]*data-testid="staff-card-${name}"`).exec(card)![1]!;
  return raw.replaceAll('&#x3D;', '=').replaceAll('&amp;', '&');
}

function expectFullCard(card: string | undefined, orgName: string) {
  expect(card).toBeDefined();
  expect(card).not.toMatch(/data-testid="staff-card"[^>]* hidden/);
  expect(field(card!, 'name')).toBe('李小明');
  expect(field(card!, 'title')).toBe('资深导购');
  expect(field(card!, 'store')).toBe('徐汇店');
  expect(field(card!, 'address')).toBe(ADDRESS);
  expect(field(card!, 'org')).toBe(orgName);
  expect(card).toMatch(/data-testid="staff-card-badge"[^>]*>(<span aria-hidden="true">[^<]*<\/span>)?认证<\/span>/);
  expect(hrefIn(card!, 'map')).toBe(MAP_URL);
}

describe('the certified staff card', () => {
  it('on the invite page: the group owner’s name, title, store, address with a map link and the badge; her phone only once she chooses to show it', async () => {
    const { org, clerk, group } = await shop();
    const invite = () => request(server.baseUrl).get(`/g/${group.inviteKey}`).expect(200);

    const before = (await invite()).text;
    const [card] = cardsIn(before);
    expectFullCard(card, org.name);
    expect(phoneIn(card!)).toBeNull();
    expect(before).not.toContain(PHONE);

    const staff = await choosePhoneShown(clerk.login, true);
    const shown = cardsIn((await invite()).text)[0]!;
    expect(phoneIn(shown)).toBe(PHONE);
    expect(hrefIn(shown, 'phone')).toBe(`tel:${PHONE}`);
    // Her own profile previews the card as customers see it.
    const profile = (await staff.get('/profile').expect(200)).text;
    expect(phoneIn(cardsIn(profile)[0]!)).toBe(PHONE);
    expect(profile).toMatch(/id="f-showPhoneToCustomers"[^>]*checked/);

    await choosePhoneShown(clerk.login, false);
    expect((await invite()).text).not.toContain(PHONE);
  });

  it('a staff member who left has no card, and another organisation’s staff never appears', async () => {
    const { auth, clerk, group } = await shop();
    await choosePhoneShown(clerk.login, true);
    await request(server.baseUrl).post(`/api/v1/staff/${clerk._id}/deactivate`).set(auth).expect(200);
    const left = (await request(server.baseUrl).get(`/g/${group.inviteKey}`).expect(200)).text;
    expect(left).toContain('水果群');
    expect(cardsIn(left)).toEqual([]);
    expect(left).not.toContain('李小明');
    expect(left).not.toContain(PHONE);

    // A group whose owner id names someone of another organisation (a record gone wrong): that person is not shown.
    const other = await shop();
    await choosePhoneShown(other.clerk.login, true);
    const mine = await shop();
    await CustomerGroup.updateOne({ orgId: mine.org._id, _id: mine.group._id }, { $set: { ownerId: other.clerk._id } });
    const crossed = (await request(server.baseUrl).get(`/g/${mine.group.inviteKey}`).expect(200)).text;
    expect(cardsIn(crossed)).toEqual([]);
    expect(crossed).not.toContain(other.org.name);
    expect(crossed).not.toContain(PHONE);
    // The one read all pages share looks within the organisation only.
    expect((await staffCardsById(mine.org._id, [other.clerk._id, mine.clerk._id])).has(String(other.clerk._id))).toBe(false);
  });

  it('on the customer page, beside each post’s author; gone once the author left', async () => {
    const { org, auth, clerk, group, orgId } = await shop();
    const browser = request.agent(server.baseUrl);
    expect((await postForm(browser, `/g/${group.inviteKey}`, `/g/${group.inviteKey}/join`, { name: '赵女士', phone: '139 0000 0042' })).status).toBe(303);
    const post = await publishMoment(ctxFor(clerk), { text: '新品到店' });

    const page = (await browser.get(`/my/${orgId}`).expect(200)).text;
    const article = new RegExp(`<article[^>]*id="post-${String(post._id)}"[\\s\\S]*?</article>`).exec(page)![0];
    const cards = cardsIn(article);
    expect(cards).toHaveLength(1);
    expectFullCard(cards[0], org.name);
    // The card names the author (and the post, for screen readers), once.
    expect(article.match(/李小明/g)).toHaveLength(1);
    expect(cards[0]).toMatch(new RegExp(`id="post-${String(post._id)}-author"[^>]*data-testid="staff-card-name"`));
    expect(phoneIn(cards[0]!)).toBeNull();
    expect(page).not.toContain(PHONE);

    await request(server.baseUrl).post(`/api/v1/staff/${clerk._id}/deactivate`).set(auth).expect(200);
    const after = (await browser.get(`/my/${orgId}`).expect(200)).text;
    expect(after).toContain('新品到店');
    expect(cardsIn(after)).toEqual([]);
    // Her name stays on what she posted.
    expect(after).toMatch(new RegExp(`id="post-${String(post._id)}-author"[^>]*><span[^>]*>李小明</span>`));
  });

  it('on the chat page: the serving agent’s card in the customer’s session (agentName as before), the phone once she shows it', async () => {
    const { org, clerk: agent } = await shop({ roles: ['agent'] });
    const channel = await createChannel(org._id, { routing: 'manual' });
    const page = await (async () => {
      const browser = request.agent(server.baseUrl);
      expect((await postForm(browser, `/c/${channel.key}`, `/c/${channel.key}/start`, { name: '王女士', phone: '' })).status).toBe(303);
      return (await browser.get(`/c/${channel.key}`).expect(200)).text;
    })();
    // The page holds the empty card its script fills from the session.
    expect(page).toMatch(/<section[^>]*id="agent-card"[^>]*data-testid="staff-card"[^>]* hidden>/);

    const staff = await connectAgent(server.baseUrl, agent.login);
    const customer = await connectCustomer(server.baseUrl, channel.key, { name: '王女士' });
    type Session = { id: string; state: string; agentName: string | null; agentCard: StaffCard | null };
    try {
      await ok(staff.socket, 'chat:presence', { status: 'online' });
      const first = await ok<{ session: Session }>(customer.socket, 'message:send', { clientId: 'c1', text: '在吗？' });
      expect(first.session).toMatchObject({ state: 'queued', agentCard: null });
      const served = nextEvent<Session>(customer.socket, 'session', (s) => s.state === 'serving');
      await ok(staff.socket, 'chat:accept', { sessionId: first.session.id });
      expect(await served).toMatchObject({
        agentName: '李小明',
        agentCard: {
          realName: '李小明',
          title: '资深导购',
          storeName: '徐汇店',
          storeAddress: ADDRESS,
          mapUrl: MAP_URL,
          orgName: org.name,
          certified: true,
          phone: null,
        },
      });

      await request(server.baseUrl)
        .patch('/api/v1/me')
        .set(await bearerFor(server.baseUrl, agent.login, PASSWORD))
        .send({ showPhoneToCustomers: true })
        .expect(200)
        .expect((res) => expect(res.body).toMatchObject({ id: String(agent._id), showPhoneToCustomers: true }));
      const now = await ok<{ session: Session }>(customer.socket, 'state', {});
      expect(now.session).toMatchObject({ agentName: '李小明', agentCard: { realName: '李小明', phone: PHONE } });
    } finally {
      staff.socket.close();
      customer.socket.close();
    }
  });

  it('bad coordinates in the store API and form answer 400 with field messages and write nothing', async () => {
    const { org, admin, auth, store } = await shop();
    const stored = () => Store.findOne({ orgId: org._id, _id: store._id }).lean();
    const api = (body: object) => request(server.baseUrl).patch(`/api/v1/stores/${store._id}`).set(auth).send(body);

    const outOfRange = await api({ lng: 181, lat: -91 }).expect(400);
    expect(outOfRange.body.error.details.fields).toEqual({ lng: ['out_of_range'], lat: ['out_of_range'] });
    const alone = await api({ lng: 121.5, lat: null }).expect(400);
    expect(alone.body.error.details.fields).toEqual({ lat: ['coordinates_pair'] });
    const words = await request(server.baseUrl).post('/api/v1/stores').set(auth).send({ name: '新店', lng: 'east', lat: 31 }).expect(400);
    expect(Object.keys(words.body.error.details.fields)).toEqual(['lng']);
    expect(await Store.countDocuments({ orgId: org._id })).toBe(1);
    expect((await stored())?.location?.coordinates).toEqual([121.437, 31.188]);

    const adminPages = await signIn(server.baseUrl, admin.login, PASSWORD);
    const edit = (fields: { lng: string; lat: string }) =>
      postForm(adminPages, `/admin/stores/${store._id}/edit`, `/admin/stores/${store._id}`, { name: '徐汇店', address: '别处', city: '上海', ...fields });
    const far = await edit({ lng: '200', lat: '31' });
    expect(far.status).toBe(400);
    expect(far.text).toMatch(/id="f-lng"[^>]*value="200"[^>]*aria-invalid="true"/);
    expect(far.text).toMatch(/id="f-lng-error"[^>]*>超出允许范围。</);
    const half = await edit({ lng: '121.5', lat: '' });
    expect(half.status).toBe(400);
    expect(half.text).toMatch(/id="f-lat-error"[^>]*>经度和纬度需同时填写。</);
    expect(half.text).toContain('value="别处"');
    expect(await stored()).toMatchObject({ address: ADDRESS, location: { coordinates: [121.437, 31.188] } });
    expect(await Store.countDocuments({ orgId: org._id })).toBe(1);
  });
});
