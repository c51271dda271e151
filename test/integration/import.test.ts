import { describe, expect, it, beforeAll } from '@jest/globals';
import request from 'supertest';
import type { Express } from 'express';
import iconv from 'iconv-lite';
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

const upload = (auth: Record<string, string>, csv: string | Buffer, policy = 'skip', contentType = 'text/csv') =>
  request(app)
    .post(`/api/v1/customers/imports?policy=${policy}`)
    .set(auth)
    .set('Content-Type', contentType)
    .send(Buffer.isBuffer(csv) ? csv : Buffer.from(csv));

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
    expect(zhang).toMatchObject({
      name: '张三',
      gender: 'male',
      source: 'event',
      ownerId: clerk._id,
      birthdayMds: [506, 1203],
      relatives: [{ relation: '母亲', name: '张母' }],
    });
    expect((await Customer.findOne({ orgId: org._id, _id: known._id }).lean())?.name).toBe('老客户');

    const rejected = await request(app)
      .get(`/api/v1/customers/imports/${res.body.id}/rejected`)
      .set(auth)
      .set('Accept-Language', 'zh-CN')
      .buffer(true)
      .parse((r, done) => {
        let body = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => (body += c));
        r.on('end', () => done(null, body));
      });
    const rows = parse((rejected.body as string).slice(1), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.line, r.name])).toEqual([
      ['5', '坏号码'],
      ['6', '坏日期'],
      ['7', '未知标签'],
      ['8', '重复'],
    ]);
    expect(rows[0]?.reason).toContain('手机号无效');
    expect(rows[1]?.reason).toContain('日期不存在');

    // Fixed where it failed, the rejected rows' file imports again as it is (its line and reason columns ignored).
    const fixed = (rejected.body as string).replace(',12345,', ',13811116666,').replace('2023-02-29', '2024-02-29').replace(',不存在,', ',白领,');
    const again = await upload(auth, fixed);
    expect([again.status, again.status === 202 ? null : again.body]).toEqual([202, null]);
    expect(await finished(auth, again.body.id)).toMatchObject({ status: 'done', created: 3, rejected: 0 });
    expect(await Customer.findOne({ orgId: org._id, phone: '+8613811116666' }).lean()).toMatchObject({ name: '坏号码' });
  });

  it('fills only the empty fields of known customers with the fill_empty policy', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    const known = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '原名' });
    const auth = await bearer(clerk.login);
    const res = await upload(auth, `name,phone,birthday,notes\n新名,${known.phone},--07-08,新备注\n`, 'fill_empty');
    expect(await finished(auth, res.body.id)).toMatchObject({ updated: 1, created: 0 });
    expect(await Customer.findOne({ orgId: org._id, _id: known._id }).lean()).toMatchObject({
      name: '原名',
      notes: '新备注',
      birthday: { month: 7, day: 8 },
      birthdayMds: [708],
    });
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

  it('refuses a wrong header, a file neither UTF-8 nor GB18030, broken quoting and an empty file, writing nothing', async () => {
    const { org, clerk } = await createOrgWithTeam();
    const auth = await bearer(clerk.login);
    // Bytes GB18030 has no character for, and what Excel saves as "Unicode text" (UTF-16 with its byte order mark).
    const neither = Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x2c, 0x70, 0x68, 0x6f, 0x6e, 0x65, 0x0a, 0xff, 0xfe, 0xc8, 0x2c, 0x31, 0x33, 0x38, 0x0a]);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('姓名\t手机号\n张三\t13811112222\n', 'utf16le')]);
    const cases: [string | Buffer, string][] = [
      ['姓名,地址\n张三,上海\n', 'csv_header'],
      ['姓名,手机号,name\n张三,13811112222,张三\n', 'csv_header'],
      [neither, 'csv_encoding'],
      [utf16, 'csv_encoding'],
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

/** A response body as its bytes (the byte order mark and encoding are what is tested). */
const bytes = (req: request.Test) =>
  req.buffer(true).parse((r, done) => {
    const chunks: Buffer[] = [];
    r.on('data', (c: Buffer) => chunks.push(c));
    r.on('end', () => done(null, Buffer.concat(chunks)));
  });

/** Chinese headers in an order of their own, one English header among them, and the ways people fill the cells. */
const chineseSheet = (tail: string) =>
  [
    '手机号,姓名,性别,生日,亲属,标签,来源,notes',
    `1381234${tail}01,陈静,女,1990/5/6,母亲｜李华｜12月3日,鲜果;礼盒,门店,爱吃车厘子`,
    `1381234${tail}02,䶮,男,1988年11月2日,,鲜果,活动,`,
  ].join('\r\n');

describe('CSV import of files saved by Excel on Chinese Windows', () => {
  for (const [label, encode] of [
    ['GBK', (text: string) => iconv.encode(text.replace('䶮', '林'), 'gbk')],
    ['GB18030', (text: string) => iconv.encode(text, 'gb18030')],
    ['UTF-8 with a byte order mark', (text: string) => Buffer.from(`\uFEFF${text}`, 'utf8')],
    ['UTF-8 without one', (text: string) => Buffer.from(text, 'utf8')],
  ] as const) {
    it(`reads ${label} with Chinese headers in any order`, async () => {
      const { org, store, clerk } = await createOrgWithTeam();
      await createTag(org._id, { name: '鲜果' });
      await createTag(org._id, { name: '礼盒' });
      const auth = await bearer(clerk.login);
      // A client that names the charset is read the same way (the bytes decide, as for one that does not).
      const res = await upload(auth, encode(chineseSheet('56')), 'skip', label === 'GBK' ? 'text/csv; charset=GBK' : 'text/csv');
      expect([res.status, res.status === 202 ? null : res.body]).toEqual([202, null]);
      expect(await finished(auth, res.body.id)).toMatchObject({ status: 'done', created: 2, rejected: 0 });
      const chen = await Customer.findOne({ orgId: org._id, phone: '+8613812345601' }).lean();
      expect(chen).toMatchObject({
        name: '陈静',
        gender: 'female',
        birthday: { year: 1990, month: 5, day: 6 },
        source: 'in_store',
        notes: '爱吃车厘子',
        ownerId: clerk._id,
        storeId: store._id,
      });
      expect(chen!.relatives).toMatchObject([{ relation: '母亲', name: '李华', birthday: { month: 12, day: 3 } }]);
      expect(chen!.tagIds).toHaveLength(2);
      const second = await Customer.findOne({ orgId: org._id, phone: '+8613812345602' }).lean();
      expect(second).toMatchObject({ name: label === 'GBK' ? '林' : '䶮', gender: 'male', birthday: { year: 1988, month: 11, day: 2 }, source: 'event' });
    });
  }

  it('offers a template (UTF-8 with a byte order mark, Chinese headers, one example row) that imports as downloaded, on the API', async () => {
    const { org, clerk } = await createOrgWithTeam();
    const auth = await bearer(clerk.login);
    const template = await bytes(request(app).get('/api/v1/customers/imports/template').set(auth)).expect(200);
    expect(template.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    const body = template.body as Buffer;
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = body.toString('utf8').slice(1).trim().split(/\r?\n/);
    expect(lines[0]).toBe('姓名,手机号,性别,生日,亲属,标签,来源,备注');
    expect(lines).toHaveLength(2);
    const res = await upload(auth, body);
    expect(await finished(auth, res.body.id)).toMatchObject({ status: 'done', created: 1, rejected: 0 });
    expect(await Customer.findOne({ orgId: org._id, phone: '+8613800138000' }).lean()).toMatchObject({ name: '王芳', gender: 'female', source: 'in_store' });
  });
});

describe('CSV import on the pages', () => {
  it('uploads a file, follows the progress, and offers the rejected rows', async () => {
    const { signIn, csrfFor } = await import('../setup/app.js');
    const { clerk, org } = await createOrgWithTeam();
    const agent = await signIn(app, clerk.login, PASSWORD);
    const token = await csrfFor(agent, '/customers/import');
    const csv = 'name,phone\n页面导入,13722223333\n坏行,1\n';
    const res = await agent
      .post(`/customers/import?_csrf=${encodeURIComponent(token)}`)
      .field('policy', 'skip')
      .attach('file', Buffer.from(csv), 'customers.csv');
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

  it('links the template and explains the formats; the template downloaded there imports unchanged, and so does a GBK file', async () => {
    const { signIn, csrfFor } = await import('../setup/app.js');
    const { clerk, org } = await createOrgWithTeam();
    await createTag(org._id, { name: '礼盒' });
    const agent = await signIn(app, clerk.login, PASSWORD);
    const form = await agent.get('/customers/import').expect(200);
    expect(form.text).toContain('href="/customers/import/template.csv"');
    expect(form.text).toMatch(/data-testid="import-formats"[\s\S]*1990\/5\/6[\s\S]*母亲\|李秀英\|--12-03/);
    const template = (await bytes(agent.get('/customers/import/template.csv')).expect(200)).body as Buffer;
    // The example row uses a tag the downloader has, so the format of the column shows.
    expect(template.toString('utf8')).toContain(',礼盒,');
    const post = async (file: Buffer, name: string) => {
      const token = await csrfFor(agent, '/customers/import');
      const res = await agent
        .post(`/customers/import?_csrf=${encodeURIComponent(token)}`)
        .field('policy', 'skip')
        .attach('file', file, name);
      expect([res.status, res.status === 303 ? '' : res.text]).toEqual([303, '']);
      let page = '';
      for (let i = 0; i < 100; i++) {
        page = (await agent.get(res.headers.location!).expect(200)).text;
        if (!page.includes('http-equiv="refresh"')) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return page;
    };
    expect(await post(template, 'template.csv')).toContain('data-testid="import-created">1<');
    expect(await Customer.findOne({ orgId: org._id, phone: '+8613800138000' }).lean()).toMatchObject({ name: '王芳' });
    expect(await post(iconv.encode('姓名,手机号,性别\r\n周敏,13912345678,女\r\n', 'gbk'), '客户.csv')).toContain('data-testid="import-created">1<');
    expect(await Customer.findOne({ orgId: org._id, phone: '+8613912345678' }).lean()).toMatchObject({ name: '周敏', gender: 'female' });
  });

  it('shows a clear message for a bad file and refuses an upload without the CSRF token', async () => {
    const { signIn, csrfFor } = await import('../setup/app.js');
    const { clerk, org } = await createOrgWithTeam();
    const agent = await signIn(app, clerk.login, PASSWORD);
    const token = await csrfFor(agent, '/customers/import');
    const bad = await agent
      .post(`/customers/import?_csrf=${encodeURIComponent(token)}`)
      .field('policy', 'skip')
      .attach('file', Buffer.from('姓名\n张三\n'), 'bad.csv');
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
      (
        (
          await req.buffer(true).parse((r, done) => {
            let body = '';
            r.setEncoding('utf8');
            r.on('data', (c: string) => (body += c));
            r.on('end', () => done(null, body));
          })
        ).body as string
      ).replace(/^\uFEFF/, '');
    const csv = [
      'name,phone,birthday,notes',
      '甲,=1+2,,',
      '乙,@SUM(1),,',
      '丙,13811116666,@SUM(1),',
      '丁,+1+2,-2+3,=cmd|x',
      '"=HYPERLINK(""http://evil"")",13811117777,2050-01-01,',
    ].join('\n');
    const res = await upload(auth, csv);
    expect(await finished(auth, res.body.id)).toMatchObject({ rejected: 5 });
    const rejected = parse(await text(request(app).get(`/api/v1/customers/imports/${res.body.id}/rejected`).set(auth)), { columns: true }) as Record<
      string,
      string
    >[];
    expect(rejected.map((r) => [r.phone, r.birthday, r.notes])).toEqual([
      ["'=1+2", '', ''],
      ["'@SUM(1)", '', ''],
      ['13811116666', "'@SUM(1)", ''],
      ["'+1+2", "'-2+3", "'=cmd|x"],
      ['13811117777', '2050-01-01', ''],
    ]);
    expect(rejected[4]!.name).toBe(`'=HYPERLINK("http://evil")`);

    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '=1+2' });
    const exported = parse(await text(request(app).post('/api/v1/customers/export').set(auth).send({ confirmPassword: PASSWORD })), {
      columns: true,
    }) as Record<string, string>[];
    expect(exported.map((r) => r.name)).toEqual(["'=1+2"]);
    for (const row of [...rejected, ...exported])
      for (const cell of Object.values(row)) expect([cell, /^[=+\-@\t\r]/.test(cell) && !/^[+-]?\d+$/.test(cell)]).toEqual([cell, false]);
  });
});
