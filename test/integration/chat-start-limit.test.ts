import { describe, expect, it, beforeAll } from '@jest/globals';
import request from 'supertest';
import type { Express } from 'express';
import { useTestDatabase } from '../setup/db.js';
import { buildTestApp, csrfFor, csrfTokenIn, signIn } from '../setup/app.js';
import { createOrgWithTeam, PASSWORD } from '../factories.js';
import { createChannel } from '../setup/chat.js';
import { createApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { logger } from '../../server/logger.js';
import { Organization } from '../../server/models/organization.js';
import { forgetChatSettings } from '../../server/services/chat/sessions.js';

useTestDatabase();

let app: Express;
let pages: Express;
beforeAll(async () => {
  // Behind a proxy, as in production: the address is the one the proxy names, so the test can be many addresses.
  ({ app } = await createApp(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', TRUST_PROXY: 'true' }), logger));
  ({ app: pages } = await buildTestApp());
});

function start(key: string, address: string, deviceToken?: string) {
  return request(app)
    .post(`/api/v1/chat/channels/${key}/visitors`)
    .set('X-Forwarded-For', address)
    .send({ name: '顾客', ...(deviceToken ? { deviceToken } : {}) });
}

async function adminToken(login: string): Promise<Record<string, string>> {
  const { body } = await request(app).post('/api/v1/tokens').send({ login, password: PASSWORD, name: 'limits' }).expect(201);
  return { Authorization: `Bearer ${body.token as string}` };
}

describe('anonymous chat starts', () => {
  it('lets 200 customers behind one address (a mall Wi-Fi, a carrier NAT) start by default, and refuses the next', async () => {
    const { org } = await createOrgWithTeam();
    const channel = await createChannel(org._id);
    const address = '100.64.0.1';
    for (let i = 0; i < 200; i += 1) expect((await start(channel.key, address)).status).toBe(201);
    const refused = await start(channel.key, address);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('rate_limited');
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
  }, 120_000);

  it('follows the organisation setting, counted per address and per device', async () => {
    const { org, admin } = await createOrgWithTeam();
    const channel = await createChannel(org._id);
    const auth = await adminToken(admin.login);
    for (const bad of [0, 10_001, 'many']) {
      const res = await request(app).patch('/api/v1/org/settings').set(auth).send({ visitorStartsPerHour: bad, confirmPassword: PASSWORD });
      expect(res.status).toBe(400);
      expect(res.body.error.details.fields.visitorStartsPerHour).toBeDefined();
    }
    const set = await request(app).patch('/api/v1/org/settings').set(auth).send({ visitorStartsPerHour: 3, confirmPassword: PASSWORD }).expect(200);
    expect(set.body.settings.visitorStartsPerHour).toBe(3);
    forgetChatSettings();

    // Per address: three devices behind one address, then the fourth start from it is refused; another address starts.
    for (let i = 0; i < 3; i += 1) expect((await start(channel.key, '10.1.0.1')).status).toBe(201);
    const fromAddress = await start(channel.key, '10.1.0.1');
    expect(fromAddress.status).toBe(429);
    expect(fromAddress.body.error.localizedMessage ?? fromAddress.body.error.message).toMatch(/\S/);
    const other = await start(channel.key, '10.1.0.2').expect(201);
    const device = other.body.deviceToken as string;
    expect(device).toMatch(/\S/);

    // Per device: the same device moving between addresses (Wi-Fi, then mobile data) is counted as one.
    expect((await start(channel.key, '10.2.0.1', device)).status).toBe(201);
    const kept = await start(channel.key, '10.2.0.2', device).expect(201);
    const fromDevice = await start(channel.key, '10.2.0.3', kept.body.deviceToken as string);
    expect(fromDevice.status).toBe(429);
    // That address itself is fresh: a new device there starts.
    expect((await start(channel.key, '10.2.0.3')).status).toBe(201);
    // A forged device token counts as a new device, never as someone else's.
    expect((await start(channel.key, '10.2.0.4', `${device.slice(0, -3)}abc`)).status).toBe(201);
  });

  it('remembers the device on the chat page for every channel', async () => {
    const { org } = await createOrgWithTeam();
    const channel = await createChannel(org._id);
    const phone = request.agent(pages);
    const form = await phone.get(`/c/${channel.key}`).expect(200);
    const started = await phone
      .post(`/c/${channel.key}/start`)
      .type('form')
      .send({ name: '王女士', phone: '', _csrf: csrfTokenIn(form.text) })
      .expect(303);
    const device = (started.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('sl_chat_device='));
    expect(device).toMatch(/Path=\/c;/);
    expect(device).toMatch(/HttpOnly/);
  });

  it('shows the setting with its range on /admin/settings and validates it on the server', async () => {
    const { org, admin } = await createOrgWithTeam();
    const agent = await signIn(pages, admin.login, PASSWORD);
    const prompt = await agent.get('/confirm-password').expect(200);
    await agent
      .post('/confirm-password')
      .type('form')
      .send({ _csrf: csrfTokenIn(prompt.text), password: PASSWORD })
      .expect(303);
    const page = await agent.get('/admin/settings').expect(200);
    expect(page.text).toContain('name="visitorStartsPerHour" type="number"');
    expect(page.text).toContain('value="200"');
    expect(page.text).toContain('1–10,000');

    const token = await csrfFor(agent, '/admin/settings');
    const refused = await agent.post('/admin/settings').type('form').send({ name: org.name, visitorStartsPerHour: '0', _csrf: token });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('value="0"');
    expect((await Organization.findById(org._id).lean())?.settings?.visitorStartsPerHour ?? 200).toBe(200);
    const saved = await agent.post('/admin/settings').type('form').send({ name: org.name, visitorStartsPerHour: '500', _csrf: token });
    expect(saved.status).toBe(303);
    expect((await Organization.findById(org._id).lean())?.settings?.visitorStartsPerHour).toBe(500);
  });
});
