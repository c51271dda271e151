import { describe, expect, it, beforeAll } from '@jest/globals';
import request from 'supertest';
import type { Express } from 'express';
import { parse } from 'csv-parse/sync';
import { useTestDatabase } from '../setup/db.js';
import { readCell } from '../../server/domain/csv.js';
import { bearerFor, buildTestApp, csrfTokenIn, signIn } from '../setup/app.js';
import { createCustomer, createOrgWithTeam, createTag, PASSWORD } from '../factories.js';
import { Customer } from '../../server/models/customer.js';
import { TimelineEvent } from '../../server/models/timeline-event.js';
import { AuditEvent } from '../../server/models/audit-event.js';

useTestDatabase();

let app: Express;
beforeAll(async () => {
  ({ app } = await buildTestApp());
});

const bearer = (login: string) => bearerFor(app, login, PASSWORD);

const textParser = (res: NodeJS.ReadableStream & { setEncoding(e: string): void }, done: (err: Error | null, body: string) => void) => {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => (body += chunk));
  res.on('end', () => done(null, body));
};

describe('CSV export', () => {
  it('needs the password, streams the filtered customers as UTF-8 with BOM for Excel, and is audited', async () => {
    const { org, store, clerk, manager } = await createOrgWithTeam();
    const vip = await createTag(org._id, { name: 'VIP' });
    const a = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '甲, "引号"', birthday: { month: 2, day: 29 }, tagIds: [vip._id] });
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '乙' });
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '=HYPERLINK("http://evil.example","x")', tagIds: [vip._id] });

    const agent = await signIn(app, manager.login, PASSWORD);
    // The list's export button posts the filter in view; an export is audited, so it is never a GET.
    const list = await agent.get(`/customers?tags=${vip._id}`).expect(200);
    const action = /<form method="post" action="(\/customers\/export\?[^"]+)"/
      .exec(list.text)![1]!
      .replace(/&amp;/g, '&')
      .replace(/&#x3D;/g, '=');
    expect(action).toContain(`tags=${vip._id}`);
    const prompt = await agent
      .post(action)
      .type('form')
      .send({ _csrf: csrfTokenIn(list.text) })
      .expect(403);
    expect(prompt.text).toContain('name="confirmPassword"');

    const res = await agent
      .post(action)
      .type('form')
      .send({ _csrf: csrfTokenIn(prompt.text), confirmPassword: PASSWORD })
      .buffer(true)
      .parse(textParser as never)
      .expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/attachment; filename="customers-\d{8}-\d{4}\.csv"/);
    const body = res.body as string;
    expect(body.charCodeAt(0)).toBe(0xfeff);
    const rows = parse(body.slice(1), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(2);
    // A cell that Excel would run as a formula is written as text.
    expect(rows.find((r) => r.name?.includes('HYPERLINK'))?.name).toBe(`'=HYPERLINK("http://evil.example","x")`);
    // A birthday without its year starts like a formula (--02-29 is 9 to Excel): written as text, read back by the import.
    expect(rows.find((r) => r.name === '甲, "引号"')).toMatchObject({
      name: '甲, "引号"',
      phone: a.phone,
      birthday: "'--02-29",
      tags: 'VIP',
      store: store.name,
      owner: clerk.realName,
    });
    expect(readCell("'--02-29")).toBe('--02-29');
    expect(await AuditEvent.countDocuments({ orgId: org._id, action: 'customer.export', actorId: manager._id })).toBe(1);
  });

  it('masks numbers for those without the personal-data permission, and exports over the API with confirmPassword', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    const c = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id });
    const auth = await bearer(clerk.login);
    const refused = await request(app).post('/api/v1/customers/export').set(auth).send({});
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('step_up_required');
    const res = await request(app)
      .post('/api/v1/customers/export')
      .set(auth)
      .send({ confirmPassword: PASSWORD })
      .buffer(true)
      .parse(textParser as never)
      .expect(200);
    const rows = parse((res.body as string).slice(1), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.phone)).toEqual([`${c.phone.slice(3, 6)}****${c.phone.slice(-4)}`]);
  });
});

describe('erasure on the customer’s request', () => {
  it('removes the personal data from the customer and the timeline, keeps an anonymous record, frees the number, and is audited', async () => {
    const { org, store, clerk, manager } = await createOrgWithTeam();
    const auth = await bearer(clerk.login);
    const created = await request(app)
      .post('/api/v1/customers')
      .set(auth)
      .send({ name: '要求删除的客户', phone: '13600136000', birthday: { month: 1, day: 2 }, notes: '住在幸福路' })
      .expect(201);
    await request(app).patch(`/api/v1/customers/${created.body.id}`).set(auth).send({ notes: '改了备注' }).expect(200);

    await request(app).delete(`/api/v1/customers/${created.body.id}`).set(auth).send({ confirmPassword: PASSWORD }).expect(403);
    const managerAuth = await bearer(manager.login);
    await request(app).delete(`/api/v1/customers/${created.body.id}`).set(managerAuth).send({}).expect(403);
    await request(app).delete(`/api/v1/customers/${created.body.id}`).set(managerAuth).send({ confirmPassword: PASSWORD }).expect(204);

    const stored = await Customer.findOne({ orgId: org._id, _id: created.body.id }).lean();
    expect(stored).toMatchObject({ name: '—', birthday: null, notes: '', relatives: [], storeId: store._id });
    expect(JSON.stringify(stored)).not.toContain('13600136000');
    expect(JSON.stringify(await TimelineEvent.find({ orgId: org._id, customerId: stored!._id }).lean())).not.toContain('notes');
    await request(app).get(`/api/v1/customers/${created.body.id}`).set(managerAuth).expect(404);
    expect((await request(app).get('/api/v1/customers').set(managerAuth).expect(200)).body.total).toBe(0);
    await request(app).post('/api/v1/customers').set(auth).send({ name: '新客户', phone: '13600136000' }).expect(201);
    const audit = await AuditEvent.findOne({ orgId: org._id, action: 'customer.erase' }).lean();
    expect(JSON.stringify(audit)).not.toContain('要求删除的客户');
  });

  it('asks for confirmation and the password on the pages', async () => {
    const { org, store, clerk, manager } = await createOrgWithTeam();
    const c = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '页面删除' });
    const agent = await signIn(app, manager.login, PASSWORD);
    const confirm = await agent.get(`/customers/${c._id}/erase`).expect(200);
    expect(confirm.text).toContain('页面删除');
    const prompt = await agent
      .post(`/customers/${c._id}/erase`)
      .type('form')
      .send({ _csrf: csrfTokenIn(confirm.text) });
    expect(prompt.status).toBe(403);
    const done = await agent
      .post(`/customers/${c._id}/erase`)
      .type('form')
      .send({ _csrf: csrfTokenIn(prompt.text), confirmPassword: PASSWORD });
    expect(done.status).toBe(303);
    expect((await Customer.findOne({ orgId: org._id, _id: c._id }).lean())?.erasedAt).toBeInstanceOf(Date);
  });
});
