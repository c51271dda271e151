import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { Express } from 'express';
import type { Agenda } from 'agenda';
import type { Types } from 'mongoose';
import { useTestDatabase } from '../setup/db.js';
import { bearerFor, buildTestApp, postForm, signIn } from '../setup/app.js';
import { createCustomer, createOrgWithTeam, createStaff, createTag, PASSWORD } from '../factories.js';
import { useFrozenClock } from '../setup/clock.js';
import { runDailyFollowups } from '../../server/services/followups/daily-run.js';
import { FollowupTask } from '../../server/models/followup-task.js';
import { FollowupRule } from '../../server/models/followup-rule.js';
import { TimelineEvent } from '../../server/models/timeline-event.js';
import { Organization } from '../../server/models/organization.js';
import { mongoose } from '../../server/db/connect.js';
import { createApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { logger } from '../../server/logger.js';
import { createAgenda } from '../../jobs/agenda.js';
import { jobs } from '../../jobs/index.js';
import { scheduleOrgJobs } from '../../jobs/schedules.js';

let agenda: Agenda | undefined;
useTestDatabase({ beforeClose: async () => agenda?.stop() });

// 10:00 on 1 December 2026 in Shanghai, the organisations' default timezone.
const NOW = new Date('2026-12-01T02:00:00Z');
const TODAY = '2026-12-01';

let app: Express;
beforeAll(async () => {
  ({ app } = await buildTestApp());
});
const clock = useFrozenClock(NOW);

const bearer = (login: string) => bearerFor(app, login, PASSWORD);
const generate = (orgId: Types.ObjectId, date = TODAY) => runDailyFollowups(String(orgId), NOW, { date });
const taskOf = (orgId: Types.ObjectId, customerId: Types.ObjectId) => FollowupTask.findOne({ orgId, customerId }).lean();
const storedTask = (orgId: Types.ObjectId, id: Types.ObjectId) => FollowupTask.findOne({ orgId, _id: id }).lean();

/** The markup of one inbox section, up to its closing tag. */
function section(html: string, key: 'today' | 'overdue' | 'upcoming'): string {
  const start = html.indexOf(`data-testid="section-${key}"`);
  if (start < 0) throw new Error(`no section ${key} in the page`);
  return html.slice(start, html.indexOf('</section>', start));
}

/** The CSRF token inside the form posting to `action` (empty string when the field is empty). */
function formToken(html: string, action: string): string {
  const start = html.indexOf(`action="${action}"`);
  if (start < 0) throw new Error(`no form posting to ${action}`);
  const match = /name="_csrf" value="([^"]*)"/.exec(html.slice(start, html.indexOf('</form>', start)));
  if (!match) throw new Error(`no CSRF field in the form posting to ${action}`);
  return match[1]!;
}

function badgeOf(html: string): number | null {
  const match = /data-testid="nav-badge"[^>]*>(\d+)</.exec(html);
  return match ? Number(match[1]) : null;
}

/** A clerk with a birthday today, one in two days and one missed three days ago (made by the run of 28 November). */
async function clerkWithTasks() {
  const team = await createOrgWithTeam();
  const { org, store, clerk } = team;
  const today = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '今天生日', birthday: { month: 12, day: 1 } });
  const soon = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '后天生日', birthday: { month: 12, day: 3, year: 1990 } });
  const missed = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '错过生日', birthday: { month: 11, day: 29 } });
  await generate(org._id, '2026-11-28');
  await generate(org._id);
  return { ...team, customers: { today, soon, missed } };
}

describe('GET /api/v1/holidays', () => {
  it('lists the festivals of a year with their dates, lunar ones computed for that year', async () => {
    const { clerk } = await createOrgWithTeam();
    const res = await request(app)
      .get('/api/v1/holidays?year=2026')
      .set(await bearer(clerk.login))
      .expect(200);
    const byKey = new Map((res.body as { key: string; date: string; calendar: string; name: string }[]).map((h) => [h.key, h]));
    expect(byKey.get('spring-festival')).toEqual({ key: 'spring-festival', name: '春节', date: '2026-02-17', calendar: 'lunar' });
    expect(byKey.get('mid-autumn')).toMatchObject({ date: '2026-09-25', calendar: 'lunar' });
    expect(byKey.get('mothers-day')).toMatchObject({ date: '2026-05-10', calendar: 'solar' });
    expect(byKey.get('fathers-day')).toMatchObject({ date: '2026-06-21', calendar: 'solar' });
    const dates = (res.body as { date: string }[]).map((h) => h.date);
    expect(dates).toEqual([...dates].sort());
    expect(dates.every((d) => d.startsWith('2026-'))).toBe(true);
    const next = await request(app)
      .get('/api/v1/holidays?year=2027')
      .set(await bearer(clerk.login))
      .expect(200);
    expect(next.body.find((h: { key: string }) => h.key === 'spring-festival').date).toBe('2027-02-06');
    const english = await request(app)
      .get('/api/v1/holidays?year=2026')
      .set(await bearer(clerk.login))
      .set('Accept-Language', 'en')
      .expect(200);
    expect(english.body.find((h: { key: string }) => h.key === 'spring-festival').name).toBe('Spring Festival');
    for (const year of [1901, 2099]) {
      const edge = await request(app)
        .get(`/api/v1/holidays?year=${year}`)
        .set(await bearer(clerk.login))
        .expect(200);
      expect(edge.body.map((h: { date: string }) => h.date.slice(0, 4))).toEqual(Array(edge.body.length).fill(String(year)));
    }
  });

  it('refuses a missing or impossible year with 400, and strangers with 401', async () => {
    const { clerk } = await createOrgWithTeam();
    const auth = await bearer(clerk.login);
    for (const query of ['', '?year=abc', '?year=1900', '?year=2100', '?year=2026.5']) {
      const res = await request(app).get(`/api/v1/holidays${query}`).set(auth);
      expect([query, res.status]).toEqual([query, 400]);
      expect(res.body.error).toMatchObject({ code: 'invalid_input', details: { fields: { year: ['year_range'] } } });
    }
    await request(app).get('/api/v1/holidays?year=2026').expect(401);
  });
});

describe('GET /api/v1/followups', () => {
  it('describes each task: customer, occasion, dates, status and a suggested message with names filled in', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '周晓雯', birthday: { month: 12, day: 3 } });
    const result = await generate(org._id);
    expect(result).toMatchObject({ date: TODAY, created: 1 });
    const res = await request(app)
      .get('/api/v1/followups')
      .set(await bearer(clerk.login))
      .expect(200);
    expect(res.body.total).toBe(1);
    expect(res.body.items).toEqual([
      expect.objectContaining({
        id: expect.stringMatching(/^[0-9a-f]{24}$/),
        customerId: String(customer._id),
        customerName: '周晓雯',
        occasion: 'birthday',
        occasionLabel: '客户生日',
        date: '2026-12-03',
        dueOn: '2026-12-03',
        status: 'open',
        outcome: null,
        snoozeUntil: null,
      }),
    ]);
    const message = res.body.items[0].suggestedMessage as string;
    expect(message).toContain('周晓雯');
    expect(message).toContain('12月3日');
    expect(message).toContain(clerk.realName);
    expect(message).not.toMatch(/\{(customer|date|clerk)\}/);
    const english = await request(app)
      .get('/api/v1/followups')
      .set(await bearer(clerk.login))
      .set('Accept-Language', 'en')
      .expect(200);
    expect(english.body.items[0].occasionLabel).not.toBe('客户生日');
    expect(english.body.items[0].suggestedMessage).toContain('Hello 周晓雯');
    expect(english.body.items[0].suggestedMessage).toContain('3 December');
  });

  it('makes a task for a relative’s birthday, naming the relative', async () => {
    const { org, clerk } = await createOrgWithTeam();
    const auth = await bearer(clerk.login);
    const created = await request(app)
      .post('/api/v1/customers')
      .set(auth)
      .send({
        name: '王芳',
        phone: '13800138123',
        birthday: { month: 6, day: 1 },
        relatives: [{ relation: '母亲', name: '李秀英', birthday: { month: 12, day: 5 } }],
        source: 'in_store',
      })
      .expect(201);
    await generate(org._id);
    const res = await request(app).get('/api/v1/followups').set(auth).expect(200);
    expect(res.body.items).toEqual([
      expect.objectContaining({
        customerId: created.body.id,
        occasion: 'relative-birthday',
        relative: { relation: '母亲', name: '李秀英' },
        date: '2026-12-05',
      }),
    ]);
    expect(res.body.items[0].occasionLabel).toContain('李秀英');
    expect(res.body.items[0].suggestedMessage).toContain('李秀英');
  });

  it('does not duplicate tasks when the run repeats, and makes none beyond the 7-day window', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, birthday: { month: 12, day: 8 } });
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, birthday: { month: 12, day: 9 } });
    expect((await generate(org._id)).created).toBe(1);
    // The stored tasks, not the run's `created` count: the test database's stand-in (mongo-java-server) reports
    // duplicate-key skips as inserted in MongoBulkWriteError.insertedCount, where a real mongod reports 0.
    await generate(org._id);
    await generate(org._id, '2026-12-02');
    expect(await FollowupTask.countDocuments({ orgId: org._id })).toBe(2);
    expect((await FollowupTask.find({ orgId: org._id }).sort({ date: 1 }).lean()).map((t) => t.date)).toEqual(['2026-12-08', '2026-12-09']);
  });

  it('shows clerks their own tasks, managers their store’s, admins and marketers the organisation’s, and nobody another organisation’s', async () => {
    const { org, store, otherStore, clerk, manager, admin, marketer } = await createOrgWithTeam();
    const colleague = await createStaff(org._id, { roles: ['clerk'], storeId: store._id });
    const farClerk = await createStaff(org._id, { roles: ['clerk'], storeId: otherStore._id });
    const birthday = { month: 12, day: 3 };
    const mine = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, birthday });
    const colleagues = await createCustomer(org._id, { ownerId: colleague._id, storeId: store._id, birthday });
    const far = await createCustomer(org._id, { ownerId: farClerk._id, storeId: otherStore._id, birthday });
    const stranger = await createOrgWithTeam();
    await createCustomer(stranger.org._id, { ownerId: stranger.clerk._id, storeId: stranger.store._id, birthday });
    await generate(org._id);
    await generate(stranger.org._id);

    const customersSeenBy = async (login: string) => {
      const res = await request(app)
        .get('/api/v1/followups')
        .set(await bearer(login))
        .expect(200);
      expect(res.body.total).toBe(res.body.items.length);
      return res.body.items.map((t: { customerId: string }) => t.customerId).sort();
    };
    expect(await customersSeenBy(clerk.login)).toEqual([String(mine._id)]);
    expect(await customersSeenBy(manager.login)).toEqual([String(mine._id), String(colleagues._id)].sort());
    const everyone = [String(mine._id), String(colleagues._id), String(far._id)].sort();
    expect(await customersSeenBy(admin.login)).toEqual(everyone);
    expect(await customersSeenBy(marketer.login)).toEqual(everyone);

    const farTask = await taskOf(org._id, far._id);
    await request(app)
      .get(`/api/v1/followups/${farTask!._id}`)
      .set(await bearer(clerk.login))
      .expect(404);
    await request(app)
      .get(`/api/v1/followups/${farTask!._id}`)
      .set(await bearer(manager.login))
      .expect(404);
    await request(app)
      .get(`/api/v1/followups/${farTask!._id}`)
      .set(await bearer(stranger.admin.login))
      .expect(404);
    await request(app)
      .get(`/api/v1/followups/${farTask!._id}`)
      .set(await bearer(admin.login))
      .expect(200);
    // An agent works conversations, not follow-ups.
    await request(app)
      .get('/api/v1/followups')
      .set(await bearer(stranger.agent.login))
      .expect(403);
  });

  it('keeps a clerk to their own tasks when they ask for a colleague’s with ?owner=', async () => {
    const { org, store, otherStore, clerk, manager } = await createOrgWithTeam();
    const colleague = await createStaff(org._id, { roles: ['clerk'], storeId: store._id });
    const farClerk = await createStaff(org._id, { roles: ['clerk'], storeId: otherStore._id });
    const birthday = { month: 12, day: 3 };
    const mine = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, birthday });
    const colleagues = await createCustomer(org._id, { ownerId: colleague._id, storeId: store._id, birthday });
    await createCustomer(org._id, { ownerId: farClerk._id, storeId: otherStore._id, birthday });
    await generate(org._id);

    // A manager's filter narrows within the store: another store's clerk gives nothing.
    const far = await request(app)
      .get(`/api/v1/followups?owner=${farClerk._id}`)
      .set(await bearer(manager.login))
      .expect(200);
    expect(far.body).toMatchObject({ total: 0, items: [] });

    // A clerk's scope is their own tasks; the owner filter must narrow it, never replace it.
    const res = await request(app)
      .get(`/api/v1/followups?owner=${colleague._id}`)
      .set(await bearer(clerk.login))
      .expect(200);
    const seen = res.body.items.map((t: { customerId: string }) => t.customerId);
    // Regression: the owner filter once replaced the clerk's own-scope `ownerId` and returned the colleague's task.
    expect(seen).not.toContain(String(colleagues._id));
    expect(seen.every((id: string) => id === String(mine._id))).toBe(true);
  });

  it('keeps a clerk’s inbox page to their own tasks when the URL names a colleague with ?owner=', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    const colleague = await createStaff(org._id, { roles: ['clerk'], storeId: store._id });
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '我的客户', birthday: { month: 12, day: 1 } });
    await createCustomer(org._id, { ownerId: colleague._id, storeId: store._id, name: '同事的客户', birthday: { month: 12, day: 1 } });
    await generate(org._id);
    const agent = await signIn(app, clerk.login, PASSWORD);
    expect((await agent.get('/followups').expect(200)).text).not.toContain('同事的客户');
    const page = await agent.get(`/followups?owner=${colleague._id}`);
    // Regression: the inbox's owner filter once replaced the clerk's own scope and showed the colleague's customer.
    expect(page.text).not.toContain('同事的客户');
  });

  it('makes no tasks for customers of staff who left, and makes festival tasks within the festival’s lead time', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    const gone = await createStaff(org._id, { roles: ['clerk'], storeId: store._id, status: 'left' });
    await createCustomer(org._id, { ownerId: gone._id, storeId: store._id, birthday: { month: 12, day: 3 } });
    await createCustomer(org._id, { storeId: store._id, birthday: { month: 12, day: 3 } });
    await generate(org._id);
    expect(await FollowupTask.countDocuments({ orgId: org._id })).toBe(0);

    const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '春节客户' });
    // Spring Festival 2027 is 6 February; its default lead time is 10 days.
    await generate(org._id, '2027-01-26');
    expect(await FollowupTask.countDocuments({ orgId: org._id })).toBe(0);
    await generate(org._id, '2027-01-27');
    expect(await taskOf(org._id, customer._id)).toMatchObject({ occasion: 'spring-festival', date: '2027-02-06', ownerId: clerk._id });
    expect(await FollowupTask.countDocuments({ orgId: org._id })).toBe(1);
    const res = await request(app)
      .get('/api/v1/followups')
      .set(await bearer(clerk.login))
      .expect(200);
    expect(res.body.items[0]).toMatchObject({ occasionLabel: '春节' });
    expect(res.body.items[0].suggestedMessage).toContain('春节客户');
    expect(res.body.items[0].suggestedMessage).toContain('春节');
    expect(res.body.items[0].suggestedMessage).toContain('2月6日');
  });

  it('reminds of a 29 February birthday on 28 February in other years', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, birthday: { month: 2, day: 29, year: 1992 } });
    await generate(org._id, '2027-02-20');
    expect(await FollowupTask.countDocuments({ orgId: org._id })).toBe(0);
    await generate(org._id, '2027-02-21');
    expect(await taskOf(org._id, customer._id)).toMatchObject({ occasion: 'birthday', date: '2027-02-28' });
    await generate(org._id, '2028-02-25');
    expect((await FollowupTask.find({ orgId: org._id, customerId: customer._id }).lean()).map((t) => t.date).sort()).toEqual(['2027-02-28', '2028-02-29']);
  });

  it('takes today from the organisation’s timezone', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '十二月一日', birthday: { month: 12, day: 1 } });
    expect((await runDailyFollowups(String(org._id), NOW)).date).toBe(TODAY);
    const agent = await signIn(app, clerk.login, PASSWORD);
    expect(section((await agent.get('/followups').expect(200)).text, 'today')).toContain(customer.name);
    // 23:30 on 30 November in Shanghai: the birthday is tomorrow.
    clock.set('2026-11-30T15:30:00Z');
    expect(section((await agent.get('/followups').expect(200)).text, 'upcoming')).toContain(customer.name);

    await Organization.updateOne({ _id: org._id }, { $set: { 'settings.timezone': 'America/New_York' } });
    // 21:00 on 30 November in New York.
    clock.set(NOW);
    expect((await runDailyFollowups(String(org._id), NOW)).date).toBe('2026-11-30');
    const page = (await agent.get('/followups').expect(200)).text;
    expect(page).toContain('今天是 11月30日');
    expect(section(page, 'upcoming')).toContain(customer.name);
  });

  it('filters by status, date range and owner, and pages', async () => {
    const { org, store, clerk, manager } = await createOrgWithTeam();
    const colleague = await createStaff(org._id, { roles: ['clerk'], storeId: store._id });
    for (const day of [2, 3, 4]) await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, birthday: { month: 12, day } });
    await createCustomer(org._id, { ownerId: colleague._id, storeId: store._id, birthday: { month: 12, day: 5 } });
    await generate(org._id);
    const auth = await bearer(manager.login);
    const first = await FollowupTask.findOne({ orgId: org._id, date: '2026-12-02' }).lean();
    await request(app).patch(`/api/v1/followups/${first!._id}`).set(auth).send({ status: 'done', outcome: 'reached' }).expect(200);

    const dates = async (query: string) => {
      const res = await request(app).get(`/api/v1/followups?${query}`).set(auth).expect(200);
      return { total: res.body.total as number, dates: res.body.items.map((t: { date: string }) => t.date) as string[] };
    };
    expect(await dates('status=done')).toEqual({ total: 1, dates: ['2026-12-02'] });
    expect(await dates('status=open')).toEqual({ total: 3, dates: ['2026-12-03', '2026-12-04', '2026-12-05'] });
    expect(await dates('from=2026-12-03&to=2026-12-04')).toEqual({ total: 2, dates: ['2026-12-03', '2026-12-04'] });
    expect(await dates(`owner=${colleague._id}`)).toEqual({ total: 1, dates: ['2026-12-05'] });
    expect(await dates('limit=2&page=2')).toEqual({ total: 4, dates: ['2026-12-04', '2026-12-05'] });
    await request(app).get('/api/v1/followups?status=lost').set(auth).expect(400);
    await request(app).get('/api/v1/followups?from=1-12-2026').set(auth).expect(400);
    await request(app).get('/api/v1/followups?limit=500').set(auth).expect(400);
  });
});

describe('PATCH /api/v1/followups/:id', () => {
  it('marks a task done with an outcome and writes followup.done to the customer’s timeline once', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, birthday: { month: 12, day: 3 } });
    await generate(org._id);
    const task = await taskOf(org._id, customer._id);
    const auth = await bearer(clerk.login);
    const res = await request(app).patch(`/api/v1/followups/${task!._id}`).set(auth).send({ status: 'done', outcome: 'bought' }).expect(200);
    expect(res.body).toMatchObject({ id: String(task!._id), status: 'done', outcome: 'bought', snoozeUntil: null, dueOn: '2026-12-03' });
    expect(await storedTask(org._id, task!._id)).toMatchObject({ status: 'done', outcome: 'bought', doneBy: clerk._id });

    const timeline = await request(app).get(`/api/v1/customers/${customer._id}/timeline`).set(auth).expect(200);
    const done = timeline.body.items.filter((e: { type: string }) => e.type === 'followup.done');
    expect(done).toEqual([
      expect.objectContaining({ actor: clerk.realName, data: expect.objectContaining({ occasion: 'birthday', date: '2026-12-03', outcome: 'bought' }) }),
    ]);

    // Saving done again (a double click) changes the outcome but does not write a second entry.
    await request(app).patch(`/api/v1/followups/${task!._id}`).set(auth).send({ status: 'done', outcome: 'interested' }).expect(200);
    expect(await TimelineEvent.countDocuments({ orgId: org._id, customerId: customer._id, type: 'followup.done' })).toBe(1);
  });

  it('refuses done without a known outcome with 400 and field details, and changes nothing', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, birthday: { month: 12, day: 3 } });
    await generate(org._id);
    const task = await taskOf(org._id, customer._id);
    const auth = await bearer(clerk.login);
    const missing = await request(app).patch(`/api/v1/followups/${task!._id}`).set(auth).send({ status: 'done' });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ code: 'invalid_input', message: expect.any(String), details: { fields: { outcome: ['required'] } } });
    const unknown = await request(app).patch(`/api/v1/followups/${task!._id}`).set(auth).send({ status: 'done', outcome: 'maybe' });
    expect(unknown.status).toBe(400);
    expect(Object.keys(unknown.body.error.details.fields)).toEqual(['outcome']);
    const badStatus = await request(app).patch(`/api/v1/followups/${task!._id}`).set(auth).send({ status: 'finished', outcome: 'bought' });
    expect(badStatus.status).toBe(400);
    expect(Object.keys(badStatus.body.error.details.fields)).toEqual(['status']);
    expect(await storedTask(org._id, task!._id)).toMatchObject({ status: 'open', outcome: null });
    expect(await TimelineEvent.countDocuments({ orgId: org._id, customerId: customer._id })).toBe(0);
  });

  it('snoozes to a real day from tomorrow to 60 days ahead, and opens again', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, birthday: { month: 12, day: 3 } });
    await generate(org._id);
    const task = await taskOf(org._id, customer._id);
    const url = `/api/v1/followups/${task!._id}`;
    const auth = await bearer(clerk.login);
    const refused: [Record<string, unknown>, string][] = [
      [{ status: 'snoozed' }, 'required'],
      [{ status: 'snoozed', snoozeUntil: TODAY }, 'snooze_range'],
      [{ status: 'snoozed', snoozeUntil: '2026-11-30' }, 'snooze_range'],
      [{ status: 'snoozed', snoozeUntil: '2027-01-31' }, 'snooze_range'],
      [{ status: 'snoozed', snoozeUntil: '2026-12-32' }, 'invalid_date'],
      [{ status: 'snoozed', snoozeUntil: '2027-02-29' }, 'invalid_date'],
    ];
    for (const [body, code] of refused) {
      const res = await request(app).patch(url).set(auth).send(body);
      expect([body, res.status]).toEqual([body, 400]);
      expect([body, res.body.error.details.fields.snoozeUntil]).toEqual([body, [code]]);
    }
    const notADate = await request(app).patch(url).set(auth).send({ status: 'snoozed', snoozeUntil: 'next week' });
    expect(notADate.status).toBe(400);
    expect(Object.keys(notADate.body.error.details.fields)).toEqual(['snoozeUntil']);
    expect(await storedTask(org._id, task!._id)).toMatchObject({ status: 'open', snoozeUntil: null, dueOn: '2026-12-03' });

    const tomorrow = await request(app).patch(url).set(auth).send({ status: 'snoozed', snoozeUntil: '2026-12-02' }).expect(200);
    expect(tomorrow.body).toMatchObject({ status: 'snoozed', snoozeUntil: '2026-12-02', dueOn: '2026-12-02', date: '2026-12-03' });
    const farthest = await request(app).patch(url).set(auth).send({ status: 'snoozed', snoozeUntil: '2027-01-30' }).expect(200);
    expect(farthest.body).toMatchObject({ status: 'snoozed', snoozeUntil: '2027-01-30', dueOn: '2027-01-30' });

    const reopened = await request(app).patch(url).set(auth).send({ status: 'open' }).expect(200);
    expect(reopened.body).toMatchObject({ status: 'open', snoozeUntil: null, outcome: null, dueOn: '2026-12-03' });
    await request(app).patch(url).set(auth).send({ status: 'done', outcome: 'reached' }).expect(200);
    const undone = await request(app).patch(url).set(auth).send({ status: 'open' }).expect(200);
    expect(undone.body).toMatchObject({ status: 'open', outcome: null });
    expect(await storedTask(org._id, task!._id)).toMatchObject({ doneAt: null, doneBy: null });
  });

  it('lets the store’s manager work a clerk’s task, gives read-only marketers 403, and answers 404 for other clerks, other organisations and bad ids', async () => {
    const { org, store, clerk, manager, marketer } = await createOrgWithTeam();
    const colleague = await createStaff(org._id, { roles: ['clerk'], storeId: store._id });
    const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, birthday: { month: 12, day: 3 } });
    await generate(org._id);
    const task = await taskOf(org._id, customer._id);
    const url = `/api/v1/followups/${task!._id}`;

    const forbidden = await request(app)
      .patch(url)
      .set(await bearer(marketer.login))
      .send({ status: 'done', outcome: 'bought' });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe('forbidden');
    await request(app)
      .patch(url)
      .set(await bearer(colleague.login))
      .send({ status: 'done', outcome: 'bought' })
      .expect(404);
    const stranger = await createOrgWithTeam();
    const foreign = await request(app)
      .patch(url)
      .set(await bearer(stranger.admin.login))
      .send({ status: 'done', outcome: 'bought' });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('not_found');
    await request(app)
      .patch('/api/v1/followups/not-an-id')
      .set(await bearer(clerk.login))
      .send({ status: 'open' })
      .expect(404);
    await request(app)
      .patch(`/api/v1/followups/${new mongoose.Types.ObjectId()}`)
      .set(await bearer(clerk.login))
      .send({ status: 'open' })
      .expect(404);
    expect(await storedTask(org._id, task!._id)).toMatchObject({ status: 'open' });

    const byManager = await request(app)
      .patch(url)
      .set(await bearer(manager.login))
      .send({ status: 'done', outcome: 'interested' })
      .expect(200);
    expect(byManager.body).toMatchObject({ status: 'done', outcome: 'interested' });
    expect(await storedTask(org._id, task!._id)).toMatchObject({ doneBy: manager._id });
  });
});

describe('GET /api/v1/followups/report', () => {
  it('counts tasks and completions per clerk for managers, marketers and admins, and refuses clerks', async () => {
    const { org, store, otherStore, clerk, manager, marketer } = await createOrgWithTeam();
    const farClerk = await createStaff(org._id, { roles: ['clerk'], storeId: otherStore._id });
    await createCustomer(org._id, { ownerId: farClerk._id, storeId: otherStore._id, birthday: { month: 12, day: 3 } });
    const a = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, birthday: { month: 12, day: 3 } });
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, birthday: { month: 12, day: 4 } });
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, birthday: { month: 11, day: 29 } });
    await generate(org._id, '2026-11-28');
    await generate(org._id);
    const task = await taskOf(org._id, a._id);
    await request(app)
      .patch(`/api/v1/followups/${task!._id}`)
      .set(await bearer(clerk.login))
      .send({ status: 'done', outcome: 'bought' })
      .expect(200);

    const res = await request(app)
      .get('/api/v1/followups/report?from=2026-11-01&to=2026-12-31')
      .set(await bearer(manager.login))
      .expect(200);
    expect(res.body).toMatchObject({ from: '2026-11-01', to: '2026-12-31' });
    expect(res.body.rows).toEqual([
      expect.objectContaining({
        ownerId: String(clerk._id),
        ownerName: clerk.realName,
        storeId: String(store._id),
        total: 3,
        done: 1,
        overdue: 1,
        outcomes: { bought: 1 },
        rate: 33,
      }),
    ]);
    expect(res.body.totals).toMatchObject({ total: 3, done: 1, overdue: 1 });
    const whole = await request(app)
      .get('/api/v1/followups/report?from=2026-11-01&to=2026-12-31')
      .set(await bearer(marketer.login))
      .expect(200);
    expect(whole.body.rows.map((r: { ownerId: string }) => r.ownerId).sort()).toEqual([String(clerk._id), String(farClerk._id)].sort());
    expect(whole.body.totals).toMatchObject({ total: 4, done: 1 });
    const narrow = await request(app)
      .get('/api/v1/followups/report?from=2026-12-04&to=2026-12-31')
      .set(await bearer(marketer.login))
      .expect(200);
    expect(narrow.body.totals).toMatchObject({ total: 1, done: 0 });
    await request(app)
      .get('/api/v1/followups/report')
      .set(await bearer(clerk.login))
      .expect(403);
    await request(app)
      .get('/api/v1/followups/report?from=yesterday')
      .set(await bearer(manager.login))
      .expect(400);
  });
});

describe('follow-up rules over the API', () => {
  it('lists built-in occasions with their defaults for marketers and admins, and refuses clerks and managers', async () => {
    const { clerk, manager, marketer } = await createOrgWithTeam();
    const res = await request(app)
      .get('/api/v1/followup-rules')
      .set(await bearer(marketer.login))
      .expect(200);
    const byOccasion = new Map(res.body.items.map((r: { occasion: string }) => [r.occasion, r]));
    expect(byOccasion.get('birthday')).toMatchObject({ enabled: true, leadDays: 7, customised: false });
    expect(byOccasion.get('relative-birthday')).toMatchObject({ enabled: true, leadDays: 7 });
    expect(byOccasion.get('spring-festival')).toMatchObject({ enabled: true, kind: 'lunar', label: '春节' });
    expect(byOccasion.get('christmas')).toMatchObject({ enabled: false, kind: 'solar' });
    await request(app)
      .get('/api/v1/followup-rules')
      .set(await bearer(clerk.login))
      .expect(403);
    await request(app)
      .get('/api/v1/followup-rules')
      .set(await bearer(manager.login))
      .expect(403);
  });

  it('changes a built-in rule, and the next run follows it', async () => {
    const { org, store, clerk, marketer } = await createOrgWithTeam();
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, birthday: { month: 12, day: 5 } });
    const auth = await bearer(marketer.login);
    const saved = await request(app).patch('/api/v1/followup-rules/birthday').set(auth).send({ leadDays: 3 }).expect(200);
    expect(saved.body).toMatchObject({ occasion: 'birthday', leadDays: 3, enabled: true, customised: true });
    expect(await FollowupRule.countDocuments({ orgId: org._id })).toBe(1);
    await generate(org._id);
    expect(await FollowupTask.countDocuments({ orgId: org._id })).toBe(0);
    await request(app).patch('/api/v1/followup-rules/birthday').set(auth).send({ leadDays: 4 }).expect(200);
    await generate(org._id);
    expect(await FollowupTask.countDocuments({ orgId: org._id })).toBe(1);
    await request(app).patch('/api/v1/followup-rules/birthday').set(auth).send({ enabled: false }).expect(200);
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, birthday: { month: 12, day: 2 } });
    await generate(org._id);
    expect(await FollowupTask.countDocuments({ orgId: org._id })).toBe(1);
  });

  it('fills placeholders typed in Chinese (客户称呼, 导购姓名, 门店, 日期) as the English ones, full-width braces too', async () => {
    const { org, store, clerk, marketer } = await createOrgWithTeam();
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '周晓雯', birthday: { month: 12, day: 3 } });
    await request(app)
      .patch('/api/v1/followup-rules/birthday')
      .set(await bearer(marketer.login))
      .send({ message: '{客户称呼}您好，{日期}生日快乐！｛导购姓名｝在{门店}为您留了鲜果果篮。{customer}/{store}/{未知}' })
      .expect(200);
    await generate(org._id);
    const res = await request(app)
      .get('/api/v1/followups')
      .set(await bearer(clerk.login))
      .expect(200);
    expect(res.body.items[0].suggestedMessage).toBe(
      `周晓雯您好，12月3日生日快乐！${clerk.realName}在${store.name}为您留了鲜果果篮。周晓雯/${store.name}/{未知}`,
    );
  });

  it('refuses bad input with 400 and writes nothing', async () => {
    const { org, marketer } = await createOrgWithTeam();
    const other = await createOrgWithTeam();
    const foreignTag = await createTag(other.org._id, { name: '外部标签' });
    const auth = await bearer(marketer.login);
    const patches: [Record<string, unknown>, string][] = [
      [{ leadDays: -1 }, 'leadDays'],
      [{ leadDays: 61 }, 'leadDays'],
      [{ leadDays: 2.5 }, 'leadDays'],
      [{ leadDays: 'soon' }, 'leadDays'],
      [{ tagIds: ['0123456789abcdef01234567'] }, 'tagIds'],
      [{ tagIds: [String(foreignTag._id)] }, 'tagIds'],
      [{ storeIds: [String(other.store._id)] }, 'storeIds'],
      [{ message: 'x'.repeat(501) }, 'message'],
    ];
    for (const [body, field] of patches) {
      const res = await request(app).patch('/api/v1/followup-rules/birthday').set(auth).send(body);
      expect([body, res.status]).toEqual([body, 400]);
      expect([body, Object.keys(res.body.error.details.fields)]).toEqual([body, [field]]);
    }
    const events: [Record<string, unknown>, string][] = [
      [{ name: '店庆', month: 2, day: 31 }, 'day'],
      [{ name: '店庆', month: 2, day: 29, year: 2027 }, 'day'],
      [{ name: '店庆', month: 13, day: 1 }, 'month'],
      [{ name: '', month: 5, day: 1 }, 'name'],
      [{ name: '店庆', month: 5, day: 1, leadDays: 61 }, 'leadDays'],
      [{ name: '店庆', month: 5, day: 1, tagIds: ['0123456789abcdef01234567'] }, 'tagIds'],
    ];
    for (const [body, field] of events) {
      const res = await request(app).post('/api/v1/followup-rules').set(auth).send(body);
      expect([body, res.status]).toEqual([body, 400]);
      expect([body, Object.keys(res.body.error.details.fields)]).toEqual([body, expect.arrayContaining([field])]);
    }
    expect(await FollowupRule.countDocuments({ orgId: org._id })).toBe(0);
    await request(app).patch('/api/v1/followup-rules/no-such-festival').set(auth).send({ leadDays: 3 }).expect(404);
  });

  it('adds an organisation event that makes tasks, edits and deletes it, and keeps other organisations’ events out of reach', async () => {
    const { org, store, clerk, marketer, admin } = await createOrgWithTeam();
    const customer = await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id });
    const auth = await bearer(marketer.login);
    const created = await request(app).post('/api/v1/followup-rules').set(auth).send({ name: '店庆', month: 12, day: 8 }).expect(201);
    expect(created.body).toMatchObject({
      occasion: expect.stringMatching(/^event:[0-9a-f]{24}$/),
      kind: 'event',
      label: '店庆',
      enabled: true,
      leadDays: 7,
      event: { name: '店庆', month: 12, day: 8, year: null },
    });
    const occasion = created.body.occasion as string;
    const listed = await request(app).get('/api/v1/followup-rules').set(auth).expect(200);
    expect(listed.body.items.map((r: { occasion: string }) => r.occasion)).toContain(occasion);

    await generate(org._id);
    const task = await taskOf(org._id, customer._id);
    expect(task).toMatchObject({ occasion, occasionName: '店庆', date: '2026-12-08' });
    const seen = await request(app)
      .get('/api/v1/followups')
      .set(await bearer(clerk.login))
      .expect(200);
    expect(seen.body.items[0]).toMatchObject({ occasionLabel: '店庆' });

    const renamed = await request(app).patch(`/api/v1/followup-rules/${occasion}`).set(auth).send({ name: '周年店庆', leadDays: 10 }).expect(200);
    expect(renamed.body).toMatchObject({ occasion, label: '周年店庆', leadDays: 10, event: { month: 12, day: 8 } });
    await request(app).patch(`/api/v1/followup-rules/${occasion}`).set(auth).send({ day: 31, month: 11 }).expect(400);

    const stranger = await createOrgWithTeam();
    const strangerAuth = await bearer(stranger.marketer.login);
    await request(app).patch(`/api/v1/followup-rules/${occasion}`).set(strangerAuth).send({ leadDays: 1 }).expect(404);
    await request(app).delete(`/api/v1/followup-rules/${occasion}`).set(strangerAuth).expect(404);
    await request(app).delete('/api/v1/followup-rules/birthday').set(auth).expect(404);
    await request(app)
      .delete(`/api/v1/followup-rules/${occasion}`)
      .set(await bearer(clerk.login))
      .expect(403);
    expect(await FollowupRule.findOne({ orgId: org._id, occasion }).lean()).toMatchObject({ leadDays: 10, event: { name: '周年店庆' } });

    await request(app)
      .delete(`/api/v1/followup-rules/${occasion}`)
      .set(await bearer(admin.login))
      .expect(204);
    expect(await FollowupRule.countDocuments({ orgId: org._id })).toBe(0);
    // Tasks already made stay with the clerk.
    expect(await FollowupTask.countDocuments({ orgId: org._id, occasion })).toBe(1);
  });
});

describe('the follow-up inbox page', () => {
  it('shows a clerk today’s, overdue and upcoming tasks with names and suggested messages', async () => {
    const { org, clerk, customers } = await clerkWithTasks();
    const agent = await signIn(app, clerk.login, PASSWORD);
    const page = await agent.get('/followups').expect(200);
    const today = section(page.text, 'today');
    expect(today.match(/data-testid="task"/g)).toHaveLength(1);
    expect(today).toContain(customers.today.name);
    const message = /<textarea[^>]*data-testid="suggested-message"[^>]*>([^<]*)<\/textarea>/.exec(today);
    expect(message?.[0]).toContain('readonly');
    expect(message?.[1]).toContain(customers.today.name);
    expect(message?.[1]).toContain('12月1日');
    expect(message?.[1]).toContain(clerk.realName);
    expect(section(page.text, 'upcoming')).toContain(customers.soon.name);
    expect(section(page.text, 'overdue')).toContain(customers.missed.name);
    expect(section(page.text, 'today')).not.toContain(customers.soon.name);

    const task = await taskOf(org._id, customers.today._id);
    expect(today).toContain(`action="/followups/${task!._id}/done"`);
    expect(today).toContain(`action="/followups/${task!._id}/snooze"`);
    expect(today).toMatch(/<select[^>]*name="outcome"/);
    expect(today).toMatch(/<input type="date"[^>]*name="snoozeUntil"[^>]*min="2026-12-02"/);
  });

  it('marks a task done from its form: 303 back to the inbox, the task done and gone from the lists', async () => {
    const { org, clerk, customers } = await clerkWithTasks();
    const task = await taskOf(org._id, customers.today._id);
    const agent = await signIn(app, clerk.login, PASSWORD);
    const forged = await agent.post(`/followups/${task!._id}/done`).type('form').send({ outcome: 'reached' });
    expect(forged.status).toBe(403);
    expect(await storedTask(org._id, task!._id)).toMatchObject({ status: 'open' });
    const res = await postForm(agent, '/followups', `/followups/${task!._id}/done`, { outcome: 'reached' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/followups');
    expect(await storedTask(org._id, task!._id)).toMatchObject({ status: 'done', outcome: 'reached' });
    expect(await TimelineEvent.countDocuments({ orgId: org._id, customerId: customers.today._id, type: 'followup.done' })).toBe(1);
    const page = await agent.get('/followups').expect(200);
    expect(page.text).toContain('已标记完成');
    expect(page.text).not.toContain(customers.today.name);
    expect(section(page.text, 'today')).not.toContain('data-testid="task"');
  });

  it('gives each task’s forms the page’s CSRF token, so what a browser posts is accepted', async () => {
    const { org, clerk, customers } = await clerkWithTasks();
    const task = await taskOf(org._id, customers.today._id);
    const agent = await signIn(app, clerk.login, PASSWORD);
    const page = await agent.get('/followups').expect(200);
    // A browser sends the token of the form it submits, not the first one on the page (as postForm does).
    const done = formToken(page.text, `/followups/${task!._id}/done`);
    const snooze = formToken(page.text, `/followups/${task!._id}/snooze`);
    // Forms inside a list must carry the page's token, not resolve `csrfToken` against the task.
    expect(done).not.toBe('');
    expect(snooze).not.toBe('');
    const res = await agent.post(`/followups/${task!._id}/done`).type('form').send({ _csrf: done, outcome: 'reached' });
    expect(res.status).toBe(303);
  });

  it('shows the inbox again with 400 and a message when done is posted without an outcome', async () => {
    const { org, clerk, customers } = await clerkWithTasks();
    const task = await taskOf(org._id, customers.today._id);
    const agent = await signIn(app, clerk.login, PASSWORD);
    const res = await postForm(agent, '/followups', `/followups/${task!._id}/done`, { outcome: '' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('data-testid="section-today"');
    expect(res.text).toMatch(new RegExp(`id="outcome-${task!._id}"[^>]*`));
    expect(res.text).toMatch(/class="form-select is-invalid" id="outcome-/);
    expect(res.text).toMatch(/role="alert">必填。</);
    expect(await storedTask(org._id, task!._id)).toMatchObject({ status: 'open', outcome: null });
  });

  it('snoozes from the form, refusing today with a message, then lists the task as upcoming', async () => {
    const { org, clerk, customers } = await clerkWithTasks();
    const task = await taskOf(org._id, customers.today._id);
    const agent = await signIn(app, clerk.login, PASSWORD);
    const refused = await postForm(agent, '/followups', `/followups/${task!._id}/snooze`, { snoozeUntil: TODAY });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('请选择明天到 60 天内的日期。');
    const ok = await postForm(agent, '/followups', `/followups/${task!._id}/snooze`, { snoozeUntil: '2026-12-04' });
    expect(ok.status).toBe(303);
    const page = await agent.get('/followups').expect(200);
    expect(section(page.text, 'today')).not.toContain(customers.today.name);
    expect(section(page.text, 'upcoming')).toContain(customers.today.name);
    expect(section(page.text, 'upcoming')).toContain('已延后到 3天后 · 12月4日');
  });

  it('escapes customer names in the inbox', async () => {
    const { org, store, clerk } = await createOrgWithTeam();
    await createCustomer(org._id, { ownerId: clerk._id, storeId: store._id, name: '<img src=x onerror=alert(1)>', birthday: { month: 12, day: 1 } });
    await generate(org._id);
    const agent = await signIn(app, clerk.login, PASSWORD);
    const page = await agent.get('/followups').expect(200);
    expect(page.text).not.toContain('<img src=x');
    expect(page.text).toContain('&lt;img src');
  });

  it('counts the staff member’s own waiting tasks in the nav badge', async () => {
    const { org, store, clerk, manager, marketer, customers } = await clerkWithTasks();
    // A task of the manager's own, to show the badge is personal, not the store's.
    await createCustomer(org._id, { ownerId: manager._id, storeId: store._id, birthday: { month: 12, day: 2 } });
    await generate(org._id);
    const agent = await signIn(app, clerk.login, PASSWORD);
    expect(badgeOf((await agent.get('/followups').expect(200)).text)).toBe(3);

    const soon = await taskOf(org._id, customers.soon._id);
    expect((await postForm(agent, '/followups', `/followups/${soon!._id}/snooze`, { snoozeUntil: '2026-12-10' })).status).toBe(303);
    expect(badgeOf((await agent.get('/customers').expect(200)).text)).toBe(2);
    const today = await taskOf(org._id, customers.today._id);
    expect((await postForm(agent, '/followups', `/followups/${today!._id}/done`, { outcome: 'bought' })).status).toBe(303);
    expect(badgeOf((await agent.get('/followups').expect(200)).text)).toBe(1);

    // On 10 December the snoozed task is waiting again.
    clock.set('2026-12-10T02:00:00Z');
    expect(badgeOf((await agent.get('/followups').expect(200)).text)).toBe(2);
    clock.set(NOW);

    const managerAgent = await signIn(app, manager.login, PASSWORD);
    expect(badgeOf((await managerAgent.get('/followups').expect(200)).text)).toBe(1);
    const marketerAgent = await signIn(app, marketer.login, PASSWORD);
    expect(badgeOf((await marketerAgent.get('/followups').expect(200)).text)).toBeNull();
  });

  it('lets a manager see and filter the store’s tasks, and shows marketers the tasks without forms', async () => {
    const { org, store, clerk, manager, marketer, customers } = await clerkWithTasks();
    const colleague = await createStaff(org._id, { roles: ['clerk'], storeId: store._id });
    const theirs = await createCustomer(org._id, { ownerId: colleague._id, storeId: store._id, name: '同事的客户', birthday: { month: 12, day: 1 } });
    await generate(org._id);
    const agent = await signIn(app, manager.login, PASSWORD);
    const all = await agent.get('/followups').expect(200);
    expect(section(all.text, 'today')).toContain(customers.today.name);
    expect(section(all.text, 'today')).toContain(theirs.name);
    expect(all.text).toContain('id="f-owner"');
    const filtered = await agent.get(`/followups?owner=${colleague._id}`).expect(200);
    expect(filtered.text).toContain(theirs.name);
    expect(filtered.text).not.toContain(customers.today.name);

    const clerkPage = await (await signIn(app, clerk.login, PASSWORD)).get('/followups').expect(200);
    expect(clerkPage.text).not.toContain(theirs.name);
    expect(clerkPage.text).not.toContain('id="f-owner"');

    const readOnly = await (await signIn(app, marketer.login, PASSWORD)).get('/followups').expect(200);
    expect(readOnly.text).toContain(customers.today.name);
    expect(readOnly.text).not.toContain('/done"');
    const task = await taskOf(org._id, customers.today._id);
    const marketerAgent = await signIn(app, marketer.login, PASSWORD);
    expect((await postForm(marketerAgent, '/followups', `/followups/${task!._id}/done`, { outcome: 'bought' })).status).toBe(403);
    expect(await storedTask(org._id, task!._id)).toMatchObject({ status: 'open' });
  });
});

describe('the follow-up report page', () => {
  it('lists the clerk with done out of total, for the manager only', async () => {
    const { org, clerk, manager, customers } = await clerkWithTasks();
    const task = await taskOf(org._id, customers.today._id);
    const clerkAgent = await signIn(app, clerk.login, PASSWORD);
    expect((await postForm(clerkAgent, '/followups', `/followups/${task!._id}/done`, { outcome: 'bought' })).status).toBe(303);

    const agent = await signIn(app, manager.login, PASSWORD);
    const page = await agent.get('/followups/report?from=2026-11-01&to=2026-12-31').expect(200);
    const row = new RegExp(
      `<td>${clerk.realName}</td><td class="text-end">(\\d+)</td><td class="text-end">(\\d+)</td><td class="text-end">(\\d+)</td><td class="text-end">(\\d+)%</td>`,
    ).exec(page.text);
    expect(row?.slice(1)).toEqual(['3', '1', '1', '33']);
    expect(page.text).toContain('已购买 1');
    // The default range is the last 30 days up to today.
    const defaults = await agent.get('/followups/report').expect(200);
    expect(defaults.text).toContain('value="2026-11-01"');
    expect(defaults.text).toContain('value="2026-12-01"');
    const bad = await agent.get('/followups/report?from=someday').expect(200);
    expect(bad.text).toContain('日期不存在');

    await clerkAgent.get('/followups/report').expect(403);
  });
});

describe('the follow-up rules pages', () => {
  it('adds an event from the form, refusing 31 February with the form shown again', async () => {
    const { org, marketer, clerk } = await createOrgWithTeam();
    const agent = await signIn(app, marketer.login, PASSWORD);
    const page = await agent.get('/followups/rules').expect(200);
    expect(page.text).toContain('春节');
    expect(page.text).toContain('客户生日');

    const bad = await postForm(agent, '/followups/rules', '/followups/rules', {
      name: '店庆',
      month: '2',
      day: '31',
      year: '',
      leadDays: '7',
      enabled: 'on',
      message: '',
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('日期不存在');
    expect(bad.text).toContain('value="店庆"');
    expect(await FollowupRule.countDocuments({ orgId: org._id })).toBe(0);

    const ok = await postForm(agent, '/followups/rules', '/followups/rules', {
      name: '会员日',
      month: '12',
      day: '8',
      year: '',
      leadDays: '7',
      enabled: 'on',
      message: '',
    });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/followups/rules');
    expect(await FollowupRule.findOne({ orgId: org._id }).lean()).toMatchObject({
      enabled: true,
      leadDays: 7,
      event: { name: '会员日', month: 12, day: 8, year: null },
    });
    expect((await agent.get('/followups/rules').expect(200)).text).toContain('会员日');

    const clerkAgent = await signIn(app, clerk.login, PASSWORD);
    await clerkAgent.get('/followups/rules').expect(403);
  });

  it('edits a built-in rule from its page, refusing a lead time over 60 days', async () => {
    const { org, marketer } = await createOrgWithTeam();
    const agent = await signIn(app, marketer.login, PASSWORD);
    const page = await agent.get('/followups/rules/birthday').expect(200);
    expect(page.text).toContain('客户生日');
    const bad = await postForm(agent, '/followups/rules/birthday', '/followups/rules/birthday', { enabled: 'on', leadDays: '61', message: '' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('超出允许范围');
    expect(await FollowupRule.countDocuments({ orgId: org._id })).toBe(0);
    const ok = await postForm(agent, '/followups/rules/birthday', '/followups/rules/birthday', { enabled: 'on', leadDays: '3', message: '{customer}生日快乐' });
    expect(ok.status).toBe(303);
    expect(await FollowupRule.findOne({ orgId: org._id, occasion: 'birthday' }).lean()).toMatchObject({
      enabled: true,
      leadDays: 3,
      message: '{customer}生日快乐',
    });
    await agent.get('/followups/rules/no-such-occasion').expect(404);
  });
});

describe('the jobs page', () => {
  it('shows an admin the organisation’s daily follow-up job, and nobody else', async () => {
    const { org, admin, manager, clerk, marketer } = await createOrgWithTeam();
    const stranger = await createOrgWithTeam();
    // Not started: the page only reads the schedule.
    agenda = createAgenda({ db: mongoose.connection.db!, log: logger, jobs });
    const { app: withJobs } = await createApp(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), logger, { agenda });
    await scheduleOrgJobs(agenda, String(org._id), { replace: true });
    await scheduleOrgJobs(agenda, String(stranger.org._id), { replace: true });

    const page = await (await signIn(withJobs, admin.login, PASSWORD)).get('/admin/jobs').expect(200);
    expect(page.text.match(/data-testid="job-row"/g)).toHaveLength(1);
    expect(page.text).toContain('每日跟进任务生成');
    expect(page.text).toContain('Asia/Shanghai');
    for (const staff of [manager, clerk, marketer]) {
      await (await signIn(withJobs, staff.login, PASSWORD)).get('/admin/jobs').expect(403);
    }
    // An app without a scheduler says so rather than showing an empty list.
    const without = await (await signIn(app, admin.login, PASSWORD)).get('/admin/jobs');
    expect(without.status).toBe(503);
    expect(without.text).toContain('此进程没有运行任务调度器');
    const job = /action="(\/admin\/jobs\/[0-9a-f]{24}\/retry)"/.exec(page.text);
    // The retry form inside the job list carries the page's token, or a browser's "run now" is refused as csrf_invalid.
    expect(formToken(page.text, job![1]!)).not.toBe('');
  });
});
