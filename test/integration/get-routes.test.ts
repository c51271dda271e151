import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Express, Router } from 'express';
import request from 'supertest';
import { DateTime } from 'luxon';
import { useTestDatabase } from '../setup/db.js';
import { bearerFor, buildTestApp, csrfFor, csrfTokenIn, postForm, signIn, type Agent } from '../setup/app.js';
import { createChannel } from '../setup/chat.js';
import { linkIn, openLink, pngBytes } from '../setup/social.js';
import { createCustomer, createOrgWithTeam, ctxFor, PASSWORD } from '../factories.js';
import { mongoose } from '../../server/db/connect.js';
import { pagesRouter } from '../../server/routes/pages/index.js';
import { apiRouter } from '../../server/routes/api/index.js';
import { addMember, createGroup } from '../../server/services/groups/groups.js';
import { publishGroupPost } from '../../server/services/groups/group-posts.js';
import { publishMoment } from '../../server/services/moments/moments.js';
import { createCampaign } from '../../server/services/campaigns/campaigns.js';
import { createTagGroup } from '../../server/services/tags/tags.js';
import { createFollowupTasks } from '../../server/services/followups/generate.js';
import { startVisitor } from '../../server/services/chat/visitors.js';
import { issueCustomerPageLink } from '../../server/services/members/links.js';
import { FollowupTask } from '../../server/models/followup-task.js';
import { AuditEvent } from '../../server/models/audit-event.js';
import { Customer } from '../../server/models/customer.js';

useTestDatabase();

let app: Express;
beforeAll(async () => {
  ({ app } = await buildTestApp());
});

/** Every GET route the app mounts, pages and API, as declared. */
function getRoutes(): string[] {
  const paths = (router: Router, base: string) =>
    (router.stack as unknown as { route?: { path: string; methods: Record<string, boolean> } }[])
      .filter((layer) => layer.route?.methods.get)
      .map((layer) => `${base}${layer.route!.path}`);
  return [...paths(pagesRouter(), ''), ...paths(apiRouter(), '/api/v1')];
}

/**
 * The whole database as text, less what a visit keeps about itself by design: the visitor's own session (its CSRF
 * binding, flash messages) and when a bearer token was last used.
 */
async function databaseState(): Promise<Map<string, string>> {
  const db = mongoose.connection.db!;
  const names = (await db.listCollections().toArray()).map((c) => c.name).filter((name) => name !== 'sessions');
  const contents = await Promise.all(names.map((name) => db.collection(name).find({}).sort({ _id: 1 }).toArray()));
  return new Map(names.map((name, i) => [name, JSON.stringify(name === 'apitokens' ? contents[i]!.map(({ lastUsedAt: _used, ...doc }) => doc) : contents[i])]));
}

function changedCollections(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...new Set([...before.keys(), ...after.keys()])].filter((name) => before.get(name) !== after.get(name));
}

/** An organisation with a record of every kind a GET route names, and the ids to put into the paths. */
async function organisationWithEverything() {
  const team = await createOrgWithTeam();
  const { org, store, clerk, marketer } = team;
  const clerkCtx = ctxFor(clerk);
  const today = DateTime.now().setZone('Asia/Shanghai');
  const soon = today.plus({ days: 3 });
  const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, birthday: { month: soon.month, day: soon.day } });
  await createFollowupTasks(String(org._id), today.toISODate()!);
  const tags = await createTagGroup(ctxFor(team.admin), { name: '年龄', color: 'blue', tags: ['20-30'] });
  const group = await createGroup(clerkCtx, { name: '水果群', notice: '' });
  await addMember(clerkCtx, String(group._id), String(customer._id));
  // The customer's own phone, remembered by joining with a new number before anything is posted, so it is shown the posts.
  const phone = request.agent(app);
  expect((await postForm(phone, `/g/${group.inviteKey}`, `/g/${group.inviteKey}/join`, { name: '新客', phone: '13912345678' })).status).toBe(303);
  const groupPost = await publishGroupPost(clerkCtx, String(group._id), { text: '群消息', images: [await pngBytes()] });
  const moment = await publishMoment(clerkCtx, { text: '动态', images: [await pngBytes()] });
  const campaign = await createCampaign(ctxFor(marketer), {
    kind: 'moment',
    title: '预热',
    text: '八折',
    storeIds: [],
    tagIds: [],
    publishAt: new Date(Date.now() + 86_400_000),
  });
  const channel = await createChannel(org._id);
  await startVisitor(channel.key, { name: '访客', phone: '' });
  const task = await FollowupTask.findOne({ orgId: org._id }).lean();
  const link = await issueCustomerPageLink(clerkCtx, String(customer._id));
  // By the segment before a parameter and its name; anything else gets an id that names nothing.
  const ids: Record<string, string> = {
    'my/:orgId': String(org._id),
    'joined/:groupId': String(group._id),
    'media/:imageId': String(groupPost.imageIds[0]),
    'media/:id': String(moment.imageIds[0]),
    'customers/:id': String(customer._id),
    'tags/:id': String(tags.tags[0]!._id),
    'rules/:occasion': 'birthday',
    'followups/:id': String(task!._id),
    'c/:key': channel.key,
    'channels/:id': String(channel._id),
    'groups/:id': String(group._id),
    'g/:key': group.inviteKey,
    'moments/:id': String(moment._id),
    'campaigns/:id': String(campaign._id),
    'stores/:id': String(store._id),
    'staff/:id': String(clerk._id),
  };
  // The customer's personal link, as the clerk gave it out: opening it must not use it up.
  const queries: Record<string, string> = { '/my/:orgId/enter': new URL(link.path!, 'http://x').search, '/api/v1/holidays': '?year=2026' };
  const fill = (route: string) =>
    route.replace(
      /([^/]+)\/:(\w+)/g,
      (_whole, segment: string, param: string) => `${segment}/${ids[`${segment}/:${param}`] ?? String(new mongoose.Types.ObjectId())}`,
    ) + (queries[route] ?? '');
  return { ...team, customer, group, phone, fill };
}

/** A signed-in browser that has confirmed its password, so step-up GET routes run too. */
async function confirmedBrowser(login: string): Promise<Agent> {
  const agent = await signIn(app, login, PASSWORD);
  const prompt = await csrfFor(agent, '/confirm-password');
  await agent.post('/confirm-password').type('form').send({ _csrf: prompt, password: PASSWORD }).expect(303);
  return agent;
}

/** Routes whose visits are checked against the database together; a batch that changed something is walked again route by route. */
const ROUTES_PER_CHECK = 8;

describe('GET routes', () => {
  // Each route's visitors open it at once (each visitor still walks the routes in order), and the database is compared
  // after each batch of routes rather than each route: a change is as visible, and the walk stays affordable.
  it('change nothing when a stranger, the customer and staff of each role open every page and API route', async () => {
    const { admin, manager, clerk, agent, marketer, phone, fill } = await organisationWithEverything();
    const visitors: ((path: string) => request.Test)[] = [(path) => request(app).get(path), (path) => phone.get(path)];
    for (const member of [admin, manager, clerk, agent, marketer]) {
      const browser = await confirmedBrowser(member.login);
      const auth = await bearerFor(app, member.login, PASSWORD);
      visitors.push((path) => (path.startsWith('/api/') ? request(app).get(path).set(auth) : browser.get(path)));
    }
    const visitAll = (route: string) => Promise.all(visitors.map((visit) => visit(fill(route))));
    const changes: string[] = [];
    const routes = getRoutes();
    let before = await databaseState();
    for (let start = 0; start < routes.length; start += ROUTES_PER_CHECK) {
      const batch = routes.slice(start, start + ROUTES_PER_CHECK);
      for (const route of batch) await visitAll(route);
      const after = await databaseState();
      const changed = changedCollections(before, after);
      before = after;
      if (!changed.length) continue;
      // Name the route: visited again alone, one that writes on every visit shows itself; one that wrote only once is named with its batch.
      const named: string[] = [];
      for (const route of batch) {
        await visitAll(route);
        const again = await databaseState();
        const changedAgain = changedCollections(before, again);
        if (changedAgain.length) named.push(`${route}: ${changedAgain.join(', ')}`);
        before = again;
      }
      changes.push(...(named.length ? named : [`one of ${batch.join(' ')}: ${changed.join(', ')}`]));
    }
    expect(changes).toEqual([]);
  }, 180_000);
});

// What another site can make a signed-in browser do: open an address (a GET), or post a form without this site's token.
describe('actions that used to run on a GET', () => {
  it('issues a customer-page link only on a POST with the form’s token: a GET shows the same link, changes nothing, and the link given out still works', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id });
    const staff = await signIn(app, clerk.login, PASSWORD);
    const linkPage = await staff.get(`/customers/${customer._id}/page-link`).expect(200);
    await staff
      .post(`/customers/${customer._id}/page-link`)
      .type('form')
      .send({ _csrf: csrfTokenIn(linkPage.text) })
      .expect(303);
    const link = linkIn((await staff.get(`/customers/${customer._id}/page-link`).expect(200)).text);
    const issued = () => AuditEvent.countDocuments({ orgId: org._id, action: 'customer.page_link' });
    const version = async () => (await Customer.findOne({ orgId: org._id, _id: customer._id }).lean())?.memberLinkVersion;
    const [auditsBefore, versionBefore] = [await issued(), await version()];

    // Supertest serves each request on a port of its own: the same link is the same path and token.
    expect(linkIn((await staff.get(`/customers/${customer._id}/page-link`).expect(200)).text).search).toBe(link.search);
    await staff.post(`/customers/${customer._id}/page-link`).type('form').send({}).expect(403);
    expect([await issued(), await version()]).toEqual([auditsBefore, versionBefore]);
    expect((await openLink(request.agent(app), link)).status).toBe(303);
  });

  it('exports customers only on a POST with the form’s token', async () => {
    const { org, manager } = await createOrgWithTeam();
    const staff = await confirmedBrowser(manager.login);
    const exported = () => AuditEvent.countDocuments({ orgId: org._id, action: 'customer.export' });
    expect((await staff.get('/customers/export')).status).toBe(404);
    await staff.post('/customers/export').type('form').send({}).expect(403);
    expect(await exported()).toBe(0);
    const list = await staff.get('/customers').expect(200);
    await staff
      .post('/customers/export')
      .type('form')
      .send({ _csrf: csrfTokenIn(list.text) })
      .expect(200);
    expect(await exported()).toBe(1);
  });

  it('spends a personal link only when the customer taps to open it: previews change nothing, and a tap without the page’s token is refused', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id });
    const link = new URL((await issueCustomerPageLink(ctxFor(clerk), String(customer._id))).path!, 'http://x');
    // A chat app's preview and a QR scanner fetch the link before the customer does.
    for (let i = 0; i < 2; i += 1) await request(app).get(`${link.pathname}${link.search}`).expect(200);
    const phone = request.agent(app);
    await phone.get(`${link.pathname}${link.search}`).expect(200);
    await phone
      .post(link.pathname)
      .type('form')
      .send({ token: link.searchParams.get('token') })
      .expect(403);
    expect((await openLink(phone, link)).status).toBe(303);
    expect((await phone.get(`/my/${String(org._id)}`)).status).toBe(200);
  });
});
