import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { Express } from 'express';
import type { Types } from 'mongoose';
import { useTestDatabase } from '../setup/db.js';
import { bearerFor, buildTestApp, csrfTokenIn, signIn } from '../setup/app.js';
import { linkIn, openLink } from '../setup/social.js';
import { createCustomer, createOrgWithTeam, createStaff, PASSWORD } from '../factories.js';
import { AuditEvent } from '../../server/models/audit-event.js';

useTestDatabase();

let app: Express;
beforeAll(async () => {
  ({ app } = await buildTestApp());
});

// Supertest serves each request on a port of its own, so links are compared by path and token.
const where = (url: URL | string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};
const issued = (orgId: Types.ObjectId) => AuditEvent.countDocuments({ orgId, action: 'customer.page_link' });

describe('the customer page link', () => {
  it('on the pages: opening the link page again shows the same link and leaves the link sent working; only the explicit new-link button voids it', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '老客户' });
    const staff = await signIn(app, clerk.login, PASSWORD);
    const linkPage = `/customers/${customer._id}/page-link`;

    const empty = await staff.get(linkPage).expect(200);
    expect(empty.text).toContain('data-testid="issue-form"');
    expect(empty.text).not.toContain('id="member-link"');
    await staff
      .post(linkPage)
      .type('form')
      .send({ _csrf: csrfTokenIn(empty.text) })
      .expect(303);

    const first = await staff.get(linkPage).expect(200);
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.text).toMatch(/<label for="member-link"[^>]*>专属链接<\/label>/);
    expect(first.text).toMatch(/<input id="member-link"[^>]*readonly/);
    expect(first.text).toContain('data-copy-target="member-link"');
    expect(first.text).toContain('<script src="/static/js/copy.js" defer></script>');
    expect(first.text).toContain('生成新链接（已发出的链接将失效）');
    const sent = linkIn(first.text);
    // The clerk comes back to the page (the complaint): the same link, nothing voided, nothing audited.
    const before = await issued(org._id);
    for (let i = 0; i < 2; i += 1) expect(where(linkIn((await staff.get(linkPage).expect(200)).text))).toBe(where(sent));
    expect(await issued(org._id)).toBe(before);
    expect((await openLink(request.agent(app), sent)).status).toBe(303);

    // Opened once: the page says so and offers a new link instead of showing a dead one.
    const used = await staff.get(linkPage).expect(200);
    expect(used.text).not.toContain('id="member-link"');
    expect(used.text).toContain('上次发出的链接已被老客户打开');

    // Replacing a link not yet opened is the explicit act that voids it.
    await staff
      .post(linkPage)
      .type('form')
      .send({ _csrf: csrfTokenIn(used.text) })
      .expect(303);
    const older = linkIn((await staff.get(linkPage).expect(200)).text);
    const reissue = await staff
      .post(linkPage)
      .type('form')
      .send({ _csrf: csrfTokenIn(used.text) })
      .expect(303);
    expect(reissue.headers.location).toBe(linkPage);
    const replaced = await staff.get(linkPage).expect(200);
    expect(replaced.text).toContain('已生成新链接，之前发出的链接已失效。');
    const newer = linkIn(replaced.text);
    expect(where(newer)).not.toBe(where(older));
    expect((await openLink(request.agent(app), older)).status).toBe(401);
    expect((await openLink(request.agent(app), newer)).status).toBe(303);
  });

  it('through the API: GET reads the same link as often as asked, POST replaces it and says it voided the old one, sign-out voids it', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id });
    const auth = await bearerFor(app, clerk.login, PASSWORD);
    const path = `/api/v1/customers/${customer._id}/page-link`;

    expect((await request(app).get(path).set(auth).expect(200)).body).toEqual({ customerId: String(customer._id), state: 'none', url: null, expiresAt: null });
    const created = await request(app).post(path).set(auth).expect(201);
    expect(created.headers['cache-control']).toBe('no-store');
    expect(created.body).toMatchObject({ state: 'live', revoked: false });
    const url = new URL(created.body.url as string);
    expect(url.pathname).toBe(`/my/${String(org._id)}/enter`);

    const read = await request(app).get(path).set(auth).expect(200);
    expect(read.headers['cache-control']).toBe('no-store');
    expect({ ...read.body, url: where(read.body.url) }).toEqual({
      customerId: String(customer._id),
      state: 'live',
      url: where(created.body.url),
      expiresAt: created.body.expiresAt,
    });
    expect(where((await request(app).get(path).set(auth).expect(200)).body.url)).toBe(where(created.body.url));

    const replaced = await request(app).post(path).set(auth).expect(201);
    expect(replaced.body).toMatchObject({ state: 'live', revoked: true });
    expect(where(replaced.body.url)).not.toBe(where(created.body.url));
    expect((await openLink(request.agent(app), url)).status).toBe(401);
    expect(await issued(org._id)).toBe(2);

    await request(app).post(`${path}/sign-out`).set(auth).expect(204);
    expect((await request(app).get(path).set(auth).expect(200)).body.state).toBe('none');
    expect((await openLink(request.agent(app), new URL(replaced.body.url as string))).status).toBe(401);

    // Another clerk's customer: no link to read or make.
    const other = await bearerFor(app, (await createStaff(org._id, { roles: ['clerk'], storeId: store._id })).login, PASSWORD);
    await request(app).get(path).set(other).expect(404);
    await request(app).post(path).set(other).expect(404);
  });
});
