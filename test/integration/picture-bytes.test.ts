import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { useTestDatabase } from '../setup/db.js';
import { startTestServer } from '../setup/server.js';
import { bearerFor, csrfTokenIn, postForm, signIn } from '../setup/app.js';
import { createChannel } from '../setup/chat.js';
import { pngBytes, postMultipart } from '../setup/social.js';
import { lookalikePictures, storedPictures } from '../setup/uploads.js';
import { createOrgWithTeam, createStaff, ctxFor, PASSWORD } from '../factories.js';
import { SocialPost } from '../../server/models/social-post.js';
import { Campaign } from '../../server/models/campaign.js';
import { momentQuota } from '../../server/services/moments/moments.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
useTestDatabase({ beforeClose: async () => server?.close() });
beforeAll(async () => {
  server = await startTestServer();
});

const TYPE_MESSAGE = '只能发送 JPG、PNG、WebP 或 GIF 图片。';

describe('picture bytes', () => {
  // Found from outside: the chat page stored `GIF89a<script>…` because only its first bytes were looked at.
  it('refuses on the customer chat page a file that only starts like a picture, storing nothing, as the docs promise (400 image_type)', async () => {
    const { org } = await createOrgWithTeam();
    const channel = await createChannel(org._id);
    const browser = request.agent(server.baseUrl);
    const start = await browser.get(`/c/${channel.key}`).expect(200);
    await browser.post(`/c/${channel.key}/start`).type('form').send({ name: '访客', phone: '', _csrf: csrfTokenIn(start.text) }).expect(303);
    const csrf = csrfTokenIn((await browser.get(`/c/${channel.key}`).expect(200)).text);
    const upload = (body: Buffer, type: string) => browser.post(`/c/${channel.key}/images`).set('Content-Type', type).set('Accept', 'application/json').set('X-CSRF-Token', csrf).send(body);

    const before = await storedPictures();
    for (const { label, data } of await lookalikePictures()) {
      const refused = await upload(data, label.startsWith('GIF') ? 'image/gif' : 'image/png');
      expect({ label, status: refused.status, fields: refused.body.error?.details?.fields }).toEqual({ label, status: 400, fields: { image: ['image_type'] } });
    }
    expect(await storedPictures()).toEqual(before);
    // A real picture still goes through.
    await upload(await pngBytes(), 'image/png').expect(201);
  });

  it('refuses such files on every staff path (the API, moments, group posts, campaigns): nothing stored, no quota spent', async () => {
    const { org, store, marketer } = await createOrgWithTeam();
    const clerk = await createStaff(org._id, { roles: ['clerk'], storeId: store._id });
    const auth = await bearerFor(server.baseUrl, clerk.login, PASSWORD);
    const clerkPages = await signIn(server.baseUrl, clerk.login, PASSWORD);
    const marketerPages = await signIn(server.baseUrl, marketer.login, PASSWORD);
    const group = await postForm(clerkPages, '/groups', '/groups', { name: '果友群', notice: '', cap: '' });
    const groupPath = group.headers.location as string;
    expect(groupPath).toMatch(/^\/groups\/[0-9a-f]{24}$/);
    const good = { data: await pngBytes(), name: 'good.png' };

    const before = await storedPictures();
    for (const [i, { label, data }] of (await lookalikePictures()).entries()) {
      const fake = { data, name: 'photo.png' };
      const api = await request(server.baseUrl).post('/api/v1/media').set(auth).set('Content-Type', 'image/png').send(data);
      expect({ label, status: api.status, fields: api.body.error?.details?.fields }).toEqual({ label, status: 400, fields: { images: ['image_type'] } });

      // A good picture beside the bad one: the whole post is refused, the form shown again with what was typed.
      const moment = await postMultipart(clerkPages, '/moments', '/moments', { text: `动态 ${i}`, audienceMode: 'all' }, [good, fake]);
      const groupPost = await postMultipart(clerkPages, groupPath, `${groupPath}/posts`, { text: `群发 ${i}`, link: '' }, [good, fake]);
      const campaign = await postMultipart(marketerPages, '/campaigns/new', '/campaigns', { title: '新品', kind: 'moment', text: `活动 ${i}`, link: '', storeIds: [String(store._id)], publishAt: '2030-01-01T12:00' }, [good, fake]);
      for (const [path, res, text] of [['moments', moment, `动态 ${i}`], ['group post', groupPost, `群发 ${i}`], ['campaign', campaign, `活动 ${i}`]] as const) {
        expect({ label, path, status: res.status, message: res.text.includes(TYPE_MESSAGE), kept: res.text.includes(text) }).toEqual({ label, path, status: 400, message: true, kept: true });
      }
    }
    expect(await storedPictures()).toEqual(before);
    expect(await SocialPost.countDocuments({ orgId: org._id })).toBe(0);
    expect(await Campaign.countDocuments({ orgId: org._id })).toBe(0);
    expect((await momentQuota(ctxFor(clerk))).used).toBe(0);
  });
});
