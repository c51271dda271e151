import { describe, expect, it, beforeAll } from '@jest/globals';
import type { Express } from 'express';
import { useTestDatabase } from '../setup/db.js';
import { buildTestApp, csrfFor, postForm, signIn } from '../setup/app.js';
import { createCustomer, createOrgWithTeam, PASSWORD } from '../factories.js';
import { Customer } from '../../server/models/customer.js';

useTestDatabase();

let app: Express;
beforeAll(async () => {
  ({ app } = await buildTestApp());
});

const form = {
  name: '陈小姐',
  phone: '13700137001',
  gender: 'female',
  birthdayMonth: '12',
  birthdayDay: '3',
  birthdayYear: '',
  source: 'in_store',
  notes: '',
};

const count = (text: string, part: string) => text.split(part).length - 1;
/** The markup of relative block `index` on the form (up to the next block or the end of the relatives). */
const relativeBlock = (html: string, index: number) => {
  const start = html.indexOf(`id="f-relativeRelation-${index}"`);
  const next = html.indexOf(`id="f-relativeRelation-${index + 1}"`);
  return html.slice(start, next === -1 ? html.indexOf('<datalist id="relations"') : next);
};

describe("the customer form's relatives", () => {
  it("offers a relative's birthday with the same month and day pickers as the customer's own", async () => {
    const { clerk } = await createOrgWithTeam();
    const agent = await signIn(app, clerk.login, PASSWORD);
    const page = (await agent.get('/customers/new').expect(200)).text;
    expect(page).toContain('<select class="form-select form-select-sm" id="f-relativeMonth-0" name="relativeMonth">');
    expect(page).toContain('<select class="form-select form-select-sm" id="f-relativeDay-0" name="relativeDay">');
    expect(page).not.toMatch(/<input[^>]*name="relativeMonth"/);
    expect(page).not.toMatch(/<input[^>]*name="relativeDay"/);
    expect(count(page, 'name="relativeMonth"')).toBe(2);
  });

  it("shows a stored relative's birthday chosen in the pickers on the edit form", async () => {
    const { clerk, org, store } = await createOrgWithTeam();
    const customer = await createCustomer(org._id, {
      ownerId: clerk._id,
      storeId: store._id,
      relatives: [{ relation: '母亲', name: '李华', month: 12, day: 3, year: 1960 }],
    });
    const agent = await signIn(app, clerk.login, PASSWORD);
    const page = (await agent.get(`/customers/${customer._id}/edit`).expect(200)).text;
    const block = relativeBlock(page, 0);
    expect(block).toContain('value="李华"');
    expect(block.slice(block.indexOf('name="relativeMonth"'), block.indexOf('name="relativeDay"'))).toContain('<option value="12" selected>12</option>');
    expect(block.slice(block.indexOf('name="relativeDay"'))).toContain('<option value="3" selected>3</option>');
    expect(block).toContain('value="1960"');
  });

  it('shows a refused form again with the rows typed and one empty row, however often it is refused', async () => {
    const { clerk, org } = await createOrgWithTeam();
    const agent = await signIn(app, clerk.login, PASSWORD);
    // What the page posts each time: the relative typed, and the one empty row it offered.
    const rows = { relativeRelation: ['母亲', ''], relativeName: ['陈母', ''], relativeMonth: ['5', ''], relativeDay: ['20', ''], relativeYear: ['', ''] };
    for (let attempt = 0; attempt < 3; attempt++) {
      const refused = await postForm(agent, '/customers/new', '/customers', { ...form, phone: '123', ...rows });
      expect(refused.status).toBe(400);
      expect(count(refused.text, 'name="relativeRelation"')).toBe(2);
      expect(relativeBlock(refused.text, 0)).toContain('value="母亲"');
      expect(relativeBlock(refused.text, 0)).toMatch(/<option value="5" selected>5<\/option>/);
    }
    expect(await Customer.countDocuments({ orgId: org._id })).toBe(0);
  });

  it("checks a relative's birthday like the customer's: 29 February without a year, not in a year that has none", async () => {
    const { clerk, org } = await createOrgWithTeam();
    const agent = await signIn(app, clerk.login, PASSWORD);
    // An empty row before the relative: the message still lands on the relative's block.
    const refused = await postForm(agent, '/customers/new', '/customers', {
      ...form,
      relativeRelation: ['', '母亲'],
      relativeName: ['', '陈母'],
      relativeMonth: ['', '2'],
      relativeDay: ['', '29'],
      relativeYear: ['', '2023'],
    });
    expect(refused.status).toBe(400);
    expect(relativeBlock(refused.text, 0)).toContain('value="母亲"');
    expect(relativeBlock(refused.text, 0)).toContain('日期不存在');
    expect(relativeBlock(refused.text, 1)).not.toContain('日期不存在');

    const saved = await postForm(agent, '/customers/new', '/customers', {
      ...form,
      relativeRelation: ['母亲', ''],
      relativeName: ['陈母', ''],
      relativeMonth: ['2', ''],
      relativeDay: ['29', ''],
      relativeYear: ['', ''],
    });
    expect(saved.status).toBe(303);
    const customer = await Customer.findOne({ orgId: org._id }).lean();
    expect(customer?.relatives).toMatchObject([{ relation: '母亲', name: '陈母', birthday: { month: 2, day: 29 } }]);
  });

  it('says once that the number is known, under the number, with the way to the existing customer', async () => {
    const { clerk, org, store } = await createOrgWithTeam();
    const existing = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '老客户' });
    const agent = await signIn(app, clerk.login, PASSWORD);
    const res = await postForm(agent, '/customers/new', '/customers', { ...form, phone: existing.phone });
    expect(res.status).toBe(409);
    expect(count(res.text, '该手机号')).toBe(1);
    expect(res.text).not.toContain('alert-danger');
    expect(count(res.text, `href="/customers/${existing._id}"`)).toBe(1);
    expect(res.text.indexOf('data-testid="duplicate-warning"')).toBeGreaterThan(res.text.indexOf('id="f-phone"'));
  });
});

describe("the clerk's customer list", () => {
  it('puts adding and finding a customer first, and the CSV export later in a secondary style', async () => {
    const { clerk } = await createOrgWithTeam();
    const agent = await signIn(app, clerk.login, PASSWORD);
    const page = (await agent.get('/customers').expect(200)).text;
    const main = page.slice(page.indexOf('<h1'));
    const add = main.indexOf('href="/customers/new"');
    const search = main.indexOf('id="f-q"');
    const exportButton = main.indexOf('data-testid="export-csv"');
    expect(add).toBeGreaterThan(-1);
    expect(add).toBeLessThan(search);
    expect(search).toBeLessThan(exportButton);
    expect(main.indexOf('customers/export')).toBeGreaterThan(main.indexOf('id="f-q"'));
    const exportTag = main.slice(main.lastIndexOf('<button', exportButton), exportButton);
    expect(exportTag).not.toMatch(/btn-(success|primary)\b/);
  });
});

describe('calling a customer', () => {
  it('offers a tel: link only after an allowed person revealed the number, and never the number to others', async () => {
    const { manager, clerk, org, store } = await createOrgWithTeam();
    const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, phone: '13912345678' });
    const managerAgent = await signIn(app, manager.login, PASSWORD);
    const before = (await managerAgent.get(`/customers/${customer._id}`).expect(200)).text;
    expect(before).not.toContain('tel:');
    expect(before).not.toContain('13912345678');

    const token = await csrfFor(managerAgent, `/customers/${customer._id}`);
    const revealed = await managerAgent
      .post(`/customers/${customer._id}/reveal-phone`)
      .type('form')
      .send({ _csrf: token, confirmPassword: PASSWORD })
      .expect(200);
    expect(revealed.text).toContain(`href="tel:${customer.phone}"`);
    expect(revealed.text).toContain('data-testid="call-phone"');

    const clerkAgent = await signIn(app, clerk.login, PASSWORD);
    const clerkPage = (await clerkAgent.get(`/customers/${customer._id}`).expect(200)).text;
    expect(clerkPage).not.toContain('tel:');
    expect(clerkPage).not.toContain('13912345678');
    const refused = await postForm(clerkAgent, `/customers/${customer._id}`, `/customers/${customer._id}/reveal-phone`, { confirmPassword: PASSWORD });
    expect(refused.status).toBe(403);
    expect(refused.text).not.toContain('tel:');
    expect(refused.text).not.toContain('13912345678');
  });
});
