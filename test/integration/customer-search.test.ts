import { describe, expect, it, beforeAll } from '@jest/globals';
import request from 'supertest';
import type { Express } from 'express';
import { useTestDatabase } from '../setup/db.js';
import { bearerFor, buildTestApp, signIn } from '../setup/app.js';
import { createCustomer, createOrgWithTeam, PASSWORD } from '../factories.js';
import { customerSearchLimits } from '../../server/domain/settings.js';

useTestDatabase();

let app: Express;
beforeAll(async () => {
  ({ app } = await buildTestApp());
});

describe('searching customers by number', () => {
  it('never gives back a masked number’s hidden digits, whatever sequence of searches is tried (API, page, export)', async () => {
    const { org, store, clerk, marketer } = await createOrgWithTeam();
    const hidden = await createCustomer(org._id, { name: '王芳', phone: '+8613512347284', ownerId: clerk._id, storeId: store._id });
    for (const staff of [marketer, clerk]) {
      const auth = await bearerFor(app, staff.login, PASSWORD);
      const seen = await request(app).get('/api/v1/customers?q=7284').set(auth).expect(200);
      expect(seen.body.items.map((c: { phone: string }) => c.phone)).toEqual(['135****7284']);

      // The attack as it was found: extend the known tail one digit at a time, and look for the search that matches.
      let known = '7284';
      for (let round = 0; round < 6; round++) {
        const answers = new Set<string>();
        for (let digit = 0; digit <= 9; digit++) {
          const res = await request(app).get(`/api/v1/customers?q=${digit}${known}`).set(auth);
          // A part of a number is refused; should it happen to spell another whole number, that matches nobody here.
          answers.add(res.status === 400 ? `400 ${res.body.error.details.fields.q}` : `${res.status} ${res.body.total}`);
        }
        // No candidate finds the customer, the right digit included: nothing tells the next digit.
        expect([known, [...answers].filter((a) => a !== '400 phone_search_whole' && a !== '200 0')]).toEqual([known, []]);
        known = `${hidden.phone.slice(-known.length - 1, -known.length)}${known}`;
      }
      // The export shares the filter, and refuses the same way before writing anything.
      const exported = await request(app).post('/api/v1/customers/export').set(auth).send({ confirmPassword: PASSWORD, q: '47284' });
      expect(exported.status).toBe(400);

      // The page says how to search instead, and lists no match for a part of a number.
      const page = await signIn(app, staff.login, PASSWORD);
      const partial = await page.get('/customers?q=47284').expect(200);
      expect(partial.text).toContain('data-testid="number-search-hint"');
      expect(partial.text).toContain('请输入后四位或完整号码');
      expect(partial.text).toMatch(/id="f-q" name="q" type="search" value="47284"/);
      const whole = await page.get(`/customers?q=${encodeURIComponent('135 1234 7284')}`).expect(200);
      expect(whole.text).toContain('王芳');
      expect(whole.text).not.toContain('13512347284');
    }
  });

  it('finds a customer by the whole number in any usual spelling, within the caller’s reach only', async () => {
    const { org, store, clerk, manager } = await createOrgWithTeam();
    await createCustomer(org._id, { name: '李雷', phone: '+8613911112222', ownerId: manager._id, storeId: store._id });
    const managerAuth = await bearerFor(app, manager.login, PASSWORD);
    for (const q of ['13911112222', '+8613911112222', '139 1111 2222', '139-1111-2222']) {
      const res = await request(app).get('/api/v1/customers').query({ q }).set(managerAuth).expect(200);
      expect([q, res.body.total]).toEqual([q, 1]);
    }
    // The clerk does not own that customer: the whole number finds nothing for her.
    const clerkAuth = await bearerFor(app, clerk.login, PASSWORD);
    expect((await request(app).get('/api/v1/customers?q=13911112222').set(clerkAuth).expect(200)).body.total).toBe(0);
  });

  it('limits look-ups by whole number per staff member, so guessing the four hidden digits takes days, not minutes', async () => {
    const { clerk, manager } = await createOrgWithTeam();
    const auth = await bearerFor(app, clerk.login, PASSWORD);
    for (let i = 0; i < customerSearchLimits.wholeNumberSearchesPerHour; i++) {
      await request(app)
        .get(`/api/v1/customers?q=1351234${String(i).padStart(4, '0')}`)
        .set(auth)
        .expect(200);
    }
    const refused = await request(app).get('/api/v1/customers?q=13512349999').set(auth);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('number_search_limit');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // Searching by the last four digits and by name goes on, and a colleague is counted on her own.
    await request(app).get('/api/v1/customers?q=9999').set(auth).expect(200);
    await request(app).get('/api/v1/customers?q=王').set(auth).expect(200);
    await request(app)
      .get('/api/v1/customers?q=13512349999')
      .set(await bearerFor(app, manager.login, PASSWORD))
      .expect(200);
  });
});
