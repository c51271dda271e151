import { describe, expect, it, beforeAll } from '@jest/globals';
import request from 'supertest';
import type { Express } from 'express';
import { parse } from 'csv-parse/sync';
import { useTestDatabase } from '../setup/db.js';
import { bearerFor, buildTestApp, postForm, signIn } from '../setup/app.js';
import { createCustomer, createOrgWithTeam, ctxFor, PASSWORD } from '../factories.js';
import { Customer } from '../../server/models/customer.js';
import { Migration } from '../../server/models/migration.js';
import { createGroup } from '../../server/services/groups/groups.js';
import { runPendingMigrations, migrations } from '../../server/services/maintenance/migrations.js';
import { logger } from '../../server/logger.js';
import { mongoose } from '../../server/db/connect.js';

useTestDatabase();

let app: Express;
beforeAll(async () => {
  ({ app } = await buildTestApp());
});

async function importCsv(auth: Record<string, string>, csv: string, policy = 'skip') {
  const res = await request(app)
    .post(`/api/v1/customers/imports?policy=${policy}`)
    .set(auth)
    .set('Content-Type', 'text/csv')
    .send(Buffer.from(csv))
    .expect(202);
  for (let i = 0; i < 200; i++) {
    const state = await request(app).get(`/api/v1/customers/imports/${res.body.id}`).set(auth).expect(200);
    if (state.body.status !== 'running') return state.body as { status: string; created: number; updated: number };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('import did not finish');
}

const exportCsv = (auth: Record<string, string>, body: Record<string, unknown> = {}) =>
  request(app)
    .post('/api/v1/customers/export')
    .set(auth)
    .send({ confirmPassword: PASSWORD, ...body })
    .buffer(true)
    .parse((res, done) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      res.on('end', () => done(null, text));
    });

/** The paths a single create gives every customer: a document lacking one of them is what crashed the export and API. */
async function referencePaths(orgId: mongoose.Types.ObjectId): Promise<string[]> {
  const reference = await createCustomer(orgId, {});
  return storedPaths(reference._id);
}

/** The paths as stored, read through the driver: lean reads fill defaults in, which would hide a missing path. */
async function storedPaths(id: unknown): Promise<string[]> {
  return Object.keys((await Customer.collection.findOne({ _id: id as mongoose.Types.ObjectId }))!).sort();
}

/** Everything a clerk and the API do with one customer answers, with nothing half-written. */
async function expectUsable(auth: Record<string, string>, page: Awaited<ReturnType<typeof signIn>>, id: string, colleagueId: string) {
  await request(app).get(`/api/v1/customers/${id}`).set(auth).expect(200);
  await request(app).get(`/api/v1/customers/${id}/timeline`).set(auth).expect(200);
  const list = await request(app).get('/api/v1/customers?limit=100').set(auth).expect(200);
  expect(list.body.items.map((c: { id: string }) => c.id)).toContain(id);
  const patched = await request(app).patch(`/api/v1/customers/${id}`).set(auth).send({ notes: '改过' }).expect(200);
  expect(patched.body.notes).toBe('改过');
  await request(app).post(`/api/v1/customers/${id}/share`).set(auth).send({ staffId: colleagueId, shared: true }).expect(200);
  await page.get(`/customers/${id}`).expect(200);
  await page.get('/customers').expect(200);
  const csv = await exportCsv(auth);
  expect(csv.status).toBe(200);
  const rows = parse((csv.body as string).replace(/^\uFEFF/, ''), { columns: true }) as { created_at: string }[];
  expect(rows.length).toBeGreaterThan(0);
  for (const row of rows) expect(Number.isNaN(Date.parse(row.created_at))).toBe(false);
}

describe('every write path of customers yields a document the readers accept', () => {
  it('an imported customer exports, lists, opens, patches and shares (the clerk’s import no longer takes the app down)', async () => {
    const { org, clerk, agent } = await createOrgWithTeam();
    const auth = await bearerFor(app, clerk.login, PASSWORD);
    expect(await importCsv(auth, 'name,phone\nx,13854036472')).toMatchObject({ status: 'done', created: 1 });
    const imported = await Customer.findOne({ orgId: org._id, phone: '+8613854036472' }).lean();
    expect(await storedPaths(imported!._id)).toEqual(await referencePaths(org._id));
    expect(imported!.createdAt).toBeInstanceOf(Date);
    expect(imported!.sharedWith).toEqual([]);
    const page = await signIn(app, clerk.login, PASSWORD);
    await expectUsable(auth, page, String(imported!._id), String(agent._id));
    // The repro's own search, again: the export answers, and the app still serves.
    expect((await exportCsv(auth, { q: '036472' })).status).toBeLessThan(500);
    await request(app).get('/api/v1/me').set(auth).expect(200);
  });

  it('the API, the page form, the import (new and filled-in) and the group invite page store the same paths', async () => {
    const { org, store, clerk, agent } = await createOrgWithTeam();
    const auth = await bearerFor(app, clerk.login, PASSWORD);
    const page = await signIn(app, clerk.login, PASSWORD);
    const expected = await referencePaths(org._id);

    const viaApi = await request(app).post('/api/v1/customers').set(auth).send({ name: '接口', phone: '13900000001' }).expect(201);
    const viaPage = await postForm(page, '/customers/new', '/customers', { name: '页面', phone: '13900000002', gender: 'unknown', source: 'in_store' });
    expect(viaPage.status).toBe(303);
    await importCsv(auth, 'name,phone,notes\n导入,13900000003,第一次');
    const sparse = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id });
    await importCsv(auth, `name,phone,notes,birthday\n补全,${sparse.phone},补上的备注,1990-01-02`, 'fill_empty');
    const group = await createGroup(ctxFor(clerk), { name: '水果群', notice: '', cap: null });
    expect((await postForm(request.agent(app), `/g/${group.inviteKey}`, `/g/${group.inviteKey}/join`, { name: '进群', phone: '13900000004' })).status).toBe(
      303,
    );

    const phones = ['+8613900000001', '+8613900000002', '+8613900000003', '+8613900000004', sparse.phone];
    const stored = await Customer.find({ orgId: org._id, phone: { $in: phones } }).lean();
    expect(stored).toHaveLength(phones.length);
    for (const doc of stored) expect([doc.phone, await storedPaths(doc._id)]).toEqual([doc.phone, expected]);
    expect(stored.find((d) => d.phone === sparse.phone)?.notes).toBe('补上的备注');
    for (const doc of stored) await expectUsable(auth, page, String(doc._id), String(agent._id));
    expect(viaApi.body.id).toBeDefined();
  });

  it('repairs customers a lean import stored before, once, so they answer again', async () => {
    const { org, store, clerk, agent } = await createOrgWithTeam();
    // What the lean insert stored: no createdAt, updatedAt, sharedWith, recentTransfers, versions or createdBy.
    const brokenId = new mongoose.Types.ObjectId();
    await Customer.collection.insertOne({
      _id: brokenId,
      orgId: org._id,
      name: 'x',
      phone: '+8613854036472',
      phoneTail: '6472',
      gender: 'unknown',
      birthday: null,
      relatives: [],
      birthdayMds: [],
      tagIds: [],
      notes: '',
      source: 'import',
      ownerId: clerk._id,
      storeId: store._id,
    });
    const auth = await bearerFor(app, clerk.login, PASSWORD);
    const page = await signIn(app, clerk.login, PASSWORD);
    // Before any repair, readers already accept it: lean reads fill in what the schema gives by default.
    await request(app).get(`/api/v1/customers/${brokenId}`).set(auth).expect(200);
    await request(app).get('/api/v1/customers').set(auth).expect(200);
    await request(app).get(`/api/v1/customers/${brokenId}/timeline`).set(auth).expect(200);
    await page.get(`/customers/${brokenId}`).expect(200);
    expect((await exportCsv(auth)).status).toBe(200);

    // Another test file's run may have recorded the migration in this database already: forget it for this run.
    const migration = migrations.find((m) => m.name === '2026-12-complete-bulk-inserted-documents');
    await Migration.deleteMany({ name: migration!.name });
    expect(await runPendingMigrations(logger)).toContain(migration!.name);
    const repaired = await Customer.findOne({ _id: brokenId, orgId: org._id }).lean();
    expect(await storedPaths(brokenId)).toEqual(await referencePaths(org._id));
    // createdAt comes from the id's time, and updatedAt is not raised by the repair.
    expect(repaired!.createdAt.getTime()).toBe(brokenId.getTimestamp().getTime());
    expect(repaired!.updatedAt.getTime()).toBe(repaired!.createdAt.getTime());
    await expectUsable(auth, page, String(brokenId), String(agent._id));

    // Recorded: a second start does not run it again.
    expect(await runPendingMigrations(logger)).toEqual([]);
    expect(await Migration.countDocuments({ name: migration!.name })).toBe(1);
  });

  it('a record no reader can turn into a row fails only that download (cut off, logged), and the app serves on', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '正常' });
    // A value of the wrong type, as another tool writing to the database could leave: the row's conversion throws.
    await Customer.collection.insertOne({
      _id: new mongoose.Types.ObjectId(),
      orgId: org._id,
      name: '坏',
      phone: '+8613854036473',
      phoneTail: '6473',
      tagIds: 'not-a-list',
      ownerId: clerk._id,
      storeId: store._id,
    } as never);
    const auth = await bearerFor(app, clerk.login, PASSWORD);
    const failed = await exportCsv(auth).then(
      (res) => ({ complete: true, status: res.status }),
      (err: Error) => ({ complete: false, status: 0, message: err.message }),
    );
    // The header was already sent, so the connection is cut rather than a cut file passed off as whole.
    expect(failed.complete).toBe(false);
    await request(app).get('/api/v1/me').set(auth).expect(200);
    expect(
      (
        await request(app)
          .get(`/api/v1/customers?q=${encodeURIComponent('正常')}`)
          .set(auth)
          .expect(200)
      ).body.total,
    ).toBe(1);
  });
});
