import { describe, expect, it, beforeAll } from '@jest/globals';
import request from 'supertest';
import type { Express } from 'express';
import iconv from 'node:buffer';
import { parse } from 'csv-parse/sync';
import { useTestDatabase } from '../setup/db.js';
import { bearerFor, buildTestApp } from '../setup/app.js';
import { createCustomer, createOrgWithTeam, createTag, PASSWORD } from '../factories.js';
import { Customer } from '../../server/models/customer.js';
import { CustomerImport } from '../../server/models/customer-import.js';

useTestDatabase();

let app: Express;
beforeAll(async () => {
  ({ app } = await buildTestApp());
});

const bearer = (login: string) => bearerFor(app, login, PASSWORD);

/** Polls the import until it leaves `running` (bounded), as a client would. */
async function finished(auth: Record<string, string>, id: string) {
  for (let i = 0; i < 200; i++) {
    const res = await request(app).get(`/api/v1/customers/imports/${id}`).set(auth).expect(200);
    if (res.body.status !== 'running') return res.body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('import did not finish');
}

const upload = (auth: Record<string, string>, csv: string | Buffer, policy = 'skip') =>
  request(app).post(`/api/v1/customers/imports?policy=${policy}`).set(auth).set('Content-Type', 'text/csv').send(Buffer.isBuffer(csv) ? csv : Buffer.from(csv));

describe('CSV import', () => {
  it('imports valid rows, rejects bad ones with reasons, skips known numbers, and offers the rejected rows as CSV', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    await createTag(org._id, { name: '白领' });
    const known = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '老客户' });
    const csv = [
      '\uFEFFname,phone,gender,birthday,relatives,tags,source,notes',
      '张三,13811112222,男,1990-05-06,母亲|张母|--12-03,白领,event,第一行',
      '李四,13811113333,female,--02-29,,,,',
      `老客户改名,${known.phone},,,,,,`,
      '坏号码,12345,,,,,,',
      '坏日期,13811114444,,2023-02-29,,,,',
      '未知标签,13811115555,,,,不存在,,',
      '重复,13811113333,,,,,,',
    ].join('\n');
    const auth = await bearer(clerk.login);
    const res = await upload(auth, csv);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ totalRows: 7 });
    const result = await finished(auth, res.body.id);
    expect(result).toMatchObject({ status: 'done', processed: 7, created: 2, skipped: 1, rejected: 4, percent: 100 });

    const zhang = await Customer.findOne({ orgId: org._id, phone: '+8613811112222' }).lean();
    expect(zhang).toMatchObject({ name: '张三', gender: 'male', source: 'event', ownerId: clerk._id, birthdayMds: [506, 1203], relatives: [{ relation: '母亲', name: '张母' }] });
    expect((await Customer.findOne({ orgId: org._id, _id: known._id }).lean())?.name).toBe('老客户');

    const rejected = await request(app).get(`/api/v1/customers/imports/${res.body.id}/rejected`).set(auth).set('Accept-Language', 'zh-CN').buffer(true).parse((r, done) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (c: string) => (body += c));
      r.on('end', () => done(null, body));
    });
    const rows = parse((rejected.body as string).slice(1), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.line, r.name])).toEqual([['5', '坏号码'], ['6', '坏日期'], ['7', '未知标签'], ['8', '重复']]);
    expect(rows[0]?.reason).toContain('手机号无效');
    expect(rows[1]?.reason).toContain('日期不存在');
  });

  it('fills only the empty fields of known customers with the fill_empty policy', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    const known = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '原名' });
    const auth = await bearer(clerk.login);
    const res = await upload(auth, `name,phone,birthday,notes\n新名,${known.phone},--07-08,新备注\n`, 'fill_empty');
    expect(await finished(auth, res.body.id)).toMatchObject({ updated: 1, created: 0 });
    expect(await Customer.findOne({ orgId: org._id, _id: known._id }).lean()).toMatchObject({ name: '原名', notes: '新备注', birthday: { month: 7, day: 8 }, birthdayMds: [708] });
  });

  it('can run the same file again without creating duplicates', async () => {
    const { org, clerk } = await createOrgWithTeam();
    const auth = await bearer(clerk.login);
    const csv = `name,phone\n${Array.from({ length: 1200 }, (_, i) => `客户${i},139${String(i).padStart(8, '0')}`).join('\n')}\n`;
    const first = await upload(auth, csv);
    expect(await finished(auth, first.body.id)).toMatchObject({ created: 1200, processed: 1200 });
    const again = await upload(auth, csv);
    expect(await finished(auth, again.body.id)).toMatchObject({ created: 0, skipped: 1200 });
    expect(await Customer.countDocuments({ orgId: org._id })).toBe(1200);
  });

  it('refuses a wrong header, a non-UTF-8 file, broken quoting and an empty file, writing nothing', async () => {
    const { org, clerk } = await createOrgWithTeam();
    const auth = await bearer(clerk.login);
    const gbk = iconv.Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x2c, 0x70, 0x68, 0x6f, 0x6e, 0x65, 0x0a, 0xd5, 0xc5, 0xc8, 0xfd, 0x2c, 0x31, 0x33, 0x38, 0x0a]);
    const cases: [string | Buffer, string][] = [
      ['姓名,电话\n张三,13811112222\n', 'csv_header'],
      [gbk, 'csv_encoding'],
      ['name,phone\n"张三,13811112222\n李四,13811113333\n', 'csv_malformed'],
      ['name,phone\n', 'csv_empty'],
    ];
    for (const [body, code] of cases) {
      const res = await upload(auth, body);
      expect([code, res.status]).toEqual([code, 400]);
      expect(res.body.error.details.fields).toEqual({ file: [code] });
    }
    const wrongType = await request(app).post('/api/v1/customers/imports').set(auth).set('Content-Type', 'application/json').send({});
    expect(wrongType.status).toBe(400);
    expect(await Customer.countDocuments({ orgId: org._id })).toBe(0);
    expect(await CustomerImport.countDocuments({ orgId: org._id })).toBe(0);
  });
});

describe('CSV import on the pages', () => {
  it('uploads a file, follows the progress, and offers the rejected rows', async () => {
    const { signIn, csrfFor } = await import('../setup/app.js');
    const { clerk, org } = await createOrgWithTeam();
    const agent = await signIn(app, clerk.login, PASSWORD);
    const token = await csrfFor(agent, '/customers/import');
    const csv = 'name,phone\n页面导入,13722223333\n坏行,1\n';
    const res = await agent.post(`/customers/import?_csrf=${encodeURIComponent(token)}`).field('policy', 'skip').attach('file', Buffer.from(csv), 'customers.csv');
    expect(res.status).toBe(303);
    let page = '';
    for (let i = 0; i < 100; i++) {
      page = (await agent.get(res.headers.location!).expect(200)).text;
      if (!page.includes('http-equiv="refresh"')) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(page).toContain('data-testid="import-created">1<');
    expect(page).toContain('data-testid="import-rejected">1<');
    expect(page).toContain('rejected.csv');
    expect(await Customer.countDocuments({ orgId: org._id, name: '页面导入' })).toBe(1);
  });

  it('shows a clear message for a bad file and refuses an upload without the CSRF token', async () => {
    const { signIn, csrfFor } = await import('../setup/app.js');
    const { clerk, org } = await createOrgWithTeam();
    const agent = await signIn(app, clerk.login, PASSWORD);
    const token = await csrfFor(agent, '/customers/import');
    const bad = await agent.post(`/customers/import?_csrf=${encodeURIComponent(token)}`).field('policy', 'skip').attach('file', Buffer.from('姓名\n张三\n'), 'bad.csv');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('列名不正确');
    const forged = await agent.post('/customers/import').field('policy', 'skip').attach('file', Buffer.from('name,phone\n甲,13722224444\n'), 'x.csv');
    expect(forged.status).toBe(403);
    expect(await Customer.countDocuments({ orgId: org._id })).toBe(0);
  });

  it('writes no cell a spreadsheet would run as a formula, in the rejected rows and the export alike', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    const auth = await bearer(clerk.login);
    const text = async (req: request.Test) =>
      ((await req.buffer(true).parse((r, done) => {
        let body = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => (body += c));
        r.on('end', () => done(null, body));
      })).body as string).replace(/^\uFEFF/, '');
    const csv = ['name,phone,birthday,notes', '甲,=1+2,,', '乙,@SUM(1),,', '丙,13811116666,@SUM(1),', '丁,+1+2,-2+3,=cmd|x', '"=HYPERLINK(""http://evil"")",13811117777,2050-01-01,'].join('\n');
    const res = await upload(auth, csv);
    expect(await finished(auth, res.body.id)).toMatchObject({ rejected: 5 });
    const rejected = parse(await text(request(app).get(`/api/v1/customers/imports/${res.body.id}/rejected`).set(auth)), { columns: true }) as Record<string, string>[];
    expect(rejected.map((r) => [r.phone, r.birthday, r.notes])).toEqual([
      ["'=1+2", '', ''],
      ["'@SUM(1)", '', ''],
      ['13811116666', "'@SUM(1)", ''],
      ["'+1+2", "'-2+3", "'=cmd|x"],
      ['13811117777', '2050-01-01', ''],
    ]);
    expect(rejected[4]!.name).toBe(`'=HYPERLINK("http://evil")`);

    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '=1+2' });
    const exported = parse(await text(request(app).post('/api/v1/customers/export').set(auth).send({ confirmPassword: PASSWORD })), { columns: true }) as Record<string, string>[];
    expect(exported.map((r) => r.name)).toEqual(["'=1+2"]);
    for (const row of [...rejected, ...exported]) for (const cell of Object.values(row)) expect([cell, /^[=+\-@\t\r]/.test(cell) && !/^[+-]?\d+$/.test(cell)]).toEqual([cell, false]);
  });
});
